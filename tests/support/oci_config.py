"""An OCI API-key config file with a freshly generated, passphrase-protected RSA key (for the stand-in)."""

from __future__ import annotations

import pathlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .oci_api_state import REGION, TENANCY, USER

PASS_PHRASE = "correct-horse-battery-staple"


def write_config(directory, region=REGION):
    """Write key.pem and config into directory; return (config path, PEM text of the private key).

    The region defaults to the stand-in's custom one (realm oc99), which OciStandIn.env() makes known to the SDK.
    The directory is made when missing.
    """
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(PASS_PHRASE.encode()))
    key_file = directory / "key.pem"
    key_file.write_bytes(pem)
    config = directory / "config"
    config.write_text(
        "[DEFAULT]\nuser=%s\nfingerprint=11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00\n"
        "tenancy=%s\nregion=%s\nkey_file=%s\npass_phrase=%s\n" % (USER, TENANCY, region, key_file, PASS_PHRASE))
    return str(config), pem.decode()
