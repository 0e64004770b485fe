"""Verify a Cognito user pool's JSON Web Token (RS256) against the pool's JWKS, with the standard
library only.

What a token must satisfy to be accepted (Cognito's guidance, "Verifying a JSON Web Token"):

- three base64url parts; header ``alg`` is ``RS256`` and ``kid`` names a key of the pool's JWKS
  (``<issuer>/.well-known/jwks.json``); an RSA key of at least 2,048 bits;
- the signature verifies (RSASSA-PKCS1-v1_5 with SHA-256, RFC 8017 section 8.2.2: the expected
  encoded message is rebuilt from the digest and compared whole, in constant time — nothing is
  parsed out of the signature, so malformed padding cannot be accepted);
- ``iss`` is the pool's issuer; ``token_use`` is one the caller allows (``access`` by default);
- the app client: ``client_id`` (access tokens) or ``aud`` (ID tokens) is one of the allowed clients;
- ``exp`` is in the future (``nbf`` and ``iat``, when present, not in the future), with a small leeway.

Why no JWT library: the ones that verify RS256 (PyJWT, joserfc, python-jose's fast backends) need the
compiled `cryptography` package, which would have to be built per Lambda architecture and shipped
as a layer. Verification needs only modular exponentiation and SHA-256; the tests check this module
against tokens signed by `cryptography` and PyJWT/joserfc.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
import urllib.request
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

MIN_RSA_BITS = 2048
LEEWAY_SECONDS = 30
"""Clock skew tolerated on `exp`, `nbf` and `iat`."""
JWKS_REFRESH_SECONDS = 300
"""An unknown `kid` refetches the JWKS (Cognito rotated its keys), at most this often."""

# DigestInfo prefix for SHA-256 (RFC 8017 section 9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class InvalidToken(Exception):
    """The token is not acceptable; the message says why (for logs, never for the client)."""


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding (RFC 7515 section 2)."""
    if not _B64URL.match(text) or len(text) % 4 == 1:
        raise InvalidToken("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidToken("not base64url") from None


@dataclass(frozen=True)
class RsaKey:
    n: int
    e: int

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> RsaKey:
        if jwk.get("kty") != "RSA" or jwk.get("alg", "RS256") != "RS256" or jwk.get("use", "sig") != "sig":
            raise InvalidToken("key is not an RS256 signing key")
        n = int.from_bytes(b64url_decode(str(jwk.get("n", ""))), "big")
        e = int.from_bytes(b64url_decode(str(jwk.get("e", ""))), "big")
        if n.bit_length() < MIN_RSA_BITS or e < 3 or e % 2 == 0:
            raise InvalidToken("key is too weak")
        return cls(n, e)

    def verifies(self, message: bytes, signature: bytes) -> bool:
        """RSASSA-PKCS1-V1_5-VERIFY with SHA-256 (RFC 8017 section 8.2.2)."""
        k = (self.n.bit_length() + 7) // 8
        if len(signature) != k:
            return False
        s = int.from_bytes(signature, "big")
        if s >= self.n:
            return False
        encoded = pow(s, self.e, self.n).to_bytes(k, "big")
        t = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
        if k < len(t) + 11:
            return False
        expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
        return hmac.compare_digest(encoded, expected)


def fetch_json(url: str) -> Any:
    """GET a JSON document over HTTPS (the pool's JWKS)."""
    if not url.startswith("https://"):
        raise ValueError(f"refusing to fetch keys over {url.split(':', 1)[0]}")
    with urllib.request.urlopen(url, timeout=3) as response:  # https only, checked above
        return json.load(response)


@dataclass
class CognitoVerifier:
    """Verifies tokens of one user pool. Keeps the pool's keys between invocations of a warm function."""

    issuer: str
    """``https://cognito-idp.<region>.amazonaws.com/<user pool id>``."""
    client_ids: Collection[str]
    """App clients whose tokens are accepted."""
    token_uses: Collection[str] = ("access",)
    """``access`` and/or ``id``."""
    fetch: Callable[[str], Any] | None = None
    """How to GET the JWKS document. Unset: `fetch_json`."""
    clock: Callable[[], float] = time.time
    _keys: dict[str, RsaKey] = field(default_factory=dict, init=False)
    _fetched_at: float | None = field(default=None, init=False)

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/.well-known/jwks.json"

    def _key(self, kid: str) -> RsaKey:
        now = self.clock()
        if kid not in self._keys and (
            self._fetched_at is None or now - self._fetched_at >= JWKS_REFRESH_SECONDS
        ):
            document = (self.fetch or fetch_json)(self.jwks_url)
            keys = document.get("keys", []) if isinstance(document, Mapping) else []
            self._keys = {}
            for jwk in keys:
                if isinstance(jwk, Mapping) and isinstance(jwk.get("kid"), str):
                    try:
                        self._keys[jwk["kid"]] = RsaKey.from_jwk(jwk)
                    except InvalidToken:
                        continue
            self._fetched_at = now
        if kid not in self._keys:
            raise InvalidToken("unknown key id")
        return self._keys[kid]

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims if it is acceptable; `InvalidToken` otherwise."""
        parts = token.split(".")
        if len(parts) != 3:
            raise InvalidToken("not a JWS compact serialization")
        header_b64, payload_b64, signature_b64 = parts
        header = _json_object(b64url_decode(header_b64), "header")
        if header.get("alg") != "RS256":
            raise InvalidToken(f"algorithm {str(header.get('alg'))[:16]!r} is not RS256")
        if "crit" in header:
            raise InvalidToken("critical header parameters are not supported")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidToken("no key id")
        key = self._key(kid)
        if not key.verifies(f"{header_b64}.{payload_b64}".encode("ascii"), b64url_decode(signature_b64)):
            raise InvalidToken("bad signature")
        claims = _json_object(b64url_decode(payload_b64), "payload")
        self._check_claims(claims)
        return claims

    def _check_claims(self, claims: Mapping[str, Any]) -> None:
        now = self.clock()
        if claims.get("iss") != self.issuer:
            raise InvalidToken("wrong issuer")
        token_use = claims.get("token_use")
        if token_use not in self.token_uses:
            raise InvalidToken(f"token_use {str(token_use)[:16]!r} is not accepted")
        client = claims.get("client_id") if token_use == "access" else claims.get("aud")
        if not isinstance(client, str) or client not in self.client_ids:
            raise InvalidToken("wrong audience (app client)")
        exp = claims.get("exp")
        if not _is_number(exp) or exp + LEEWAY_SECONDS <= now:
            raise InvalidToken("expired")
        for claim in ("nbf", "iat"):
            value = claims.get(claim)
            if value is not None and (not _is_number(value) or value - LEEWAY_SECONDS > now):
                raise InvalidToken(f"{claim} is in the future")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise InvalidToken("no subject")


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise InvalidToken(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise InvalidToken(f"{what} is not a JSON object")
    return value
