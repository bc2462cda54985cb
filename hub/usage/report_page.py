"""placeholder"""
from fastapi import APIRouter


def report_router() -> APIRouter:
    return APIRouter()
