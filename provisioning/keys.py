"""The operator's signing keys: Ed25519 files in folders IT keeps, never in the repository.

Each key is a PEM (PKCS#8) file named `<role>-<keyid prefix>.pem`, mode 0600 in a 0700
folder. Which role a key signs for is decided by the signed metadata (root lists the keys of
the top-level roles, targets lists each council's), not by the file name: the name only helps
a person find the right USB stick. Signing looks a key up by its id in every folder it is
given, so root keys can live on three separate media and be brought together for a ceremony.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner

from kiosk.profile_store import fsync_dir, write_durably

RETIRED = "retired"


class KeyFolders:
    """Private keys found in a list of folders (the first one is where new keys go)."""

    def __init__(self, folders: Iterable[Path]) -> None:
        self.folders = [Path(f) for f in folders]
        if not self.folders:
            raise ValueError("at least one key folder")
        self._signers: dict[str, CryptoSigner] | None = None

    def generate(self, role: str, folder: Path | None = None) -> CryptoSigner:
        """Make a new Ed25519 key for `role` and keep its private half in `folder`."""
        where = folder or self.folders[0]
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(where, 0o700)
        signer = CryptoSigner.generate_ed25519()
        write_durably(where / f"{role}-{signer.public_key.keyid[:12]}.pem", signer.private_bytes, mode=0o600)
        self.signers()[signer.public_key.keyid] = signer
        return signer

    def signers(self) -> dict[str, CryptoSigner]:
        if self._signers is None:
            self._signers = {}
            for folder in self.folders:
                for path in sorted(folder.glob("*.pem")) if folder.is_dir() else ():
                    private = load_pem_private_key(path.read_bytes(), None)
                    signer = CryptoSigner(private)
                    self._signers[signer.public_key.keyid] = signer
        return self._signers

    def get(self, keyid: str) -> CryptoSigner | None:
        return self.signers().get(keyid)

    def retire(self, keyid: str) -> None:
        """Move a replaced key's file to `retired/` (destroy it once the rotation is out)."""
        for folder in self.folders:
            for path in folder.glob(f"*-{keyid[:12]}.pem") if folder.is_dir() else ():
                (folder / RETIRED).mkdir(mode=0o700, exist_ok=True)
                shutil.move(path, folder / RETIRED / path.name)
                fsync_dir(folder)
        self.signers().pop(keyid, None)
