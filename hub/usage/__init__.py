"""Usage events from the terminals (issue 14): their intake, the aggregates the report reads,
retention of the raw events, small-cell suppression, the report page and its exports."""
