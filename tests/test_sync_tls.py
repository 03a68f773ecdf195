"""TLS is verified by default: a server whose certificate the booth cannot verify is not talked to."""

import datetime as dt
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from loopback import LiveServer
from booth_common.protocol import Unreachable
from sync.client import SyncClient
from sync.server.accounts import create_booth, hash_secret


def self_signed(folder):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "city test server")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_city(tmp_path):
    cert, key = self_signed(tmp_path)
    server = LiveServer(tmp_path / "city", tls_cert=cert, tls_key=key).start()
    yield server
    server.stop()


def test_an_unverifiable_certificate_is_refused_by_default(tls_city):
    with pytest.raises(Unreachable, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        SyncClient(tls_city.url).probe()


def test_the_citys_own_ca_bundle_makes_it_verifiable(tls_city):
    """With the city's certificate as the CA bundle, a real exchange goes through: the booth is enrolled
    and the city holds the device."""
    code = create_booth(tls_city.storage, booth_id="b-tls", event_id="e-tls", name="TLS booth")
    client = SyncClient(tls_city.url, verify=tls_city.settings.tls_cert)
    client.probe()
    enrollment = client.enroll(code=code, device_id="d-tls")
    client.close()
    assert (enrollment.booth_id, enrollment.event_id) == ("b-tls", "e-tls") and enrollment.device_token
    device = tls_city.storage.device_by_token(hash_secret(enrollment.device_token))
    assert (device.device_id, device.booth_id) == ("d-tls", "b-tls")
