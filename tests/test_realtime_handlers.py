"""The realtime functions, run for real: the authorizer against tokens signed by keys generated here
(joserfc and `cryptography`, not our code), the connection handlers and the fan-out against moto's
DynamoDB, API Gateway management API and EventBridge.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.jwk import RSAKey

from social_components.realtime.handlers import authorizer, connections, fanout, store, tokens
from tests.fake_aws import fake_aws

REGION = "eu-west-1"
POOL = f"{REGION}_AbCdEf123"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
WEB_CLIENT, OTHER_CLIENT = "webclient1234567890abcdefg", "otherclient234567890abcdef"
METHOD_ARN = "arn:aws:execute-api:eu-west-1:111111111111:abc123/prod/$connect"
USER = "4b1c1f0e-1111-2222-3333-444455556666"

KEY = RSAKey.generate_key(2048, parameters={"kid": "key-1", "alg": "RS256", "use": "sig"})
ROTATED = RSAKey.generate_key(2048, parameters={"kid": "key-2", "alg": "RS256", "use": "sig"})
IMPOSTOR = RSAKey.generate_key(2048, parameters={"kid": "key-1", "alg": "RS256", "use": "sig"})


def jwks(*keys: RSAKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False) for key in keys]}


def claims(**changes: Any) -> dict[str, Any]:
    """An access token's claims as Cognito issues them, valid for the next hour."""
    now = int(time.time())
    base = {
        "sub": USER,
        "iss": ISSUER,
        "client_id": WEB_CLIENT,
        "token_use": "access",
        "scope": "openid email",
        "auth_time": now,
        "iat": now,
        "exp": now + 3600,
        "jti": "a2f0",
        "username": USER,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict[str, Any], key: RSAKey = KEY, alg: str = "RS256") -> str:
    return jwt.encode({"alg": alg, "kid": key.kid}, payload, key)


class Fetches:
    """The JWKS endpoint: serves `document` and counts requests."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document, self.urls = document, list[str]()

    def __call__(self, url: str) -> dict[str, Any]:
        self.urls.append(url)
        return self.document


def verifier(document: dict[str, Any] | None = None, **options: Any) -> tokens.CognitoVerifier:
    options.setdefault("client_ids", {WEB_CLIENT})
    return tokens.CognitoVerifier(issuer=ISSUER, fetch=Fetches(document or jwks(KEY)), **options)


@pytest.fixture
def authorize(monkeypatch: pytest.MonkeyPatch) -> Iterator[Fetches]:
    """The deployed authorizer's configuration (environment), with the JWKS endpoint faked."""
    monkeypatch.setenv("USER_POOL_ISSUER", ISSUER)
    monkeypatch.setenv("CLIENT_IDS", f"{WEB_CLIENT},")
    fetches = Fetches(jwks(KEY))
    monkeypatch.setattr(tokens, "fetch_json", fetches)
    authorizer.verifier.cache_clear()
    yield fetches
    authorizer.verifier.cache_clear()


def connect_event(token: str | None) -> dict[str, Any]:
    return {
        "type": "REQUEST",
        "methodArn": METHOD_ARN,
        "queryStringParameters": None if token is None else {"token": token},
        "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": "c-1"},
    }


def effect(answer: dict[str, Any]) -> str:
    [statement] = answer["policyDocument"]["Statement"]
    assert statement["Resource"] == METHOD_ARN and statement["Action"] == "execute-api:Invoke"
    return str(statement["Effect"])


# The authorizer ----------------------------------------------------------------------------------


def test_a_valid_access_token_opens_the_connection_as_its_user(authorize: Fetches) -> None:
    answer = authorizer.handler(connect_event(sign(claims())))
    assert effect(answer) == "Allow"
    assert answer["principalId"] == USER
    assert answer["context"] == {"userId": USER}
    assert authorize.urls == [f"{ISSUER}/.well-known/jwks.json"]


BAD_TOKENS = {
    "expired": lambda: sign(claims(exp=int(time.time()) - 120, iat=int(time.time()) - 3720)),
    "wrong audience (another app client)": lambda: sign(claims(client_id=OTHER_CLIENT)),
    "wrong issuer (another user pool)": lambda: sign(claims(iss=ISSUER.replace(POOL, f"{REGION}_Other"))),
    "wrong issuer (plain http)": lambda: sign(claims(iss=ISSUER.replace("https", "http"))),
    "an ID token where access tokens are asked for": lambda: sign(
        claims(token_use="id", client_id=None, aud=WEB_CLIENT)
    ),
    "no token_use": lambda: sign(claims(token_use=None)),
    "issued in the future": lambda: sign(claims(iat=int(time.time()) + 600)),
    "not valid yet": lambda: sign(claims(nbf=int(time.time()) + 600)),
    "no expiry": lambda: sign(claims(exp=None)),
    "no subject": lambda: sign(claims(sub=None)),
    "signed by another key with the pool's key id": lambda: sign(claims(), key=IMPOSTOR),
    "signed by a key the pool does not publish": lambda: sign(claims(), key=ROTATED),
    "tampered claims (someone else's sub)": lambda: _swap_payload(sign(claims()), claims(sub="victim")),
    "tampered signature": lambda: _flip_signature_bit(sign(claims())),
    "unsigned (alg none)": lambda: _unsigned(claims()),
    "HMAC signed with the public key (algorithm confusion)": lambda: _hmac_with_public_key(claims()),
    "no token at all": lambda: "",
    "not a JWT": lambda: "hello",
    "too long": lambda: "a" * 10_000,
}


@pytest.mark.parametrize("make", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_the_authorizer_denies(authorize: Fetches, make: Any) -> None:
    answer = authorizer.handler(connect_event(make()))
    assert effect(answer) == "Deny"
    assert "context" not in answer


def test_the_authorizer_denies_a_request_without_the_query_parameter(authorize: Fetches) -> None:
    assert effect(authorizer.handler(connect_event(None))) == "Deny"


def test_id_tokens_are_checked_against_aud_when_accepted() -> None:
    v = verifier(token_uses={"id"})
    assert v.verify(sign(claims(token_use="id", client_id=None, aud=WEB_CLIENT)))["sub"] == USER
    with pytest.raises(tokens.InvalidToken, match="audience"):
        v.verify(sign(claims(token_use="id", client_id=WEB_CLIENT, aud=OTHER_CLIENT)))
    with pytest.raises(tokens.InvalidToken, match="token_use"):
        v.verify(sign(claims()))


def test_keys_are_fetched_once_and_again_after_rotation() -> None:
    fetches = Fetches(jwks(KEY))
    clock = [time.time()]
    v = tokens.CognitoVerifier(issuer=ISSUER, client_ids={WEB_CLIENT}, fetch=fetches, clock=lambda: clock[0])
    for _ in range(3):
        v.verify(sign(claims()))
    assert len(fetches.urls) == 1, "a warm function keeps the keys"
    fetches.document = jwks(KEY, ROTATED)
    with pytest.raises(tokens.InvalidToken, match="unknown key"):
        v.verify(sign(claims(), key=ROTATED))
    assert len(fetches.urls) == 1, "an unknown key id does not refetch more than every 5 minutes"
    clock[0] += tokens.JWKS_REFRESH_SECONDS
    assert v.verify(sign(claims(), key=ROTATED))["sub"] == USER
    assert len(fetches.urls) == 2


def test_weak_or_foreign_keys_in_the_jwks_are_ignored() -> None:
    small = RSAKey.generate_key(1024, parameters={"kid": "key-1", "alg": "RS256"}, private=True)
    with pytest.raises(tokens.InvalidToken, match="unknown key"):
        verifier(jwks(small)).verify(sign(claims(), key=small))
    ec = {"kty": "EC", "kid": "key-1", "crv": "P-256", "x": "AA", "y": "AA"}
    with pytest.raises(tokens.InvalidToken, match="unknown key"):
        verifier({"keys": [ec]}).verify(sign(claims()))


def test_only_https_key_endpoints_are_fetched() -> None:
    with pytest.raises(ValueError, match="http"):
        tokens.fetch_json("http://cognito-idp.eu-west-1.amazonaws.com/x/.well-known/jwks.json")


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_changed_character_makes_a_token_invalid(data: st.DataObject) -> None:
    token = GOOD_TOKEN
    position = data.draw(st.integers(0, len(token) - 1), label="position")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != token[position]]), label="char")
    tampered = token[:position] + replacement + token[position + 1 :]
    try:
        decoded = VERIFIER.verify(tampered)
    except tokens.InvalidToken:
        return
    # base64url's last character carries spare bits: a change there may decode to the same bytes.
    assert decoded == VERIFIER.verify(token)
    assert _decoded_parts(tampered) == _decoded_parts(token)


def test_a_token_from_motos_cognito_is_accepted_with_its_pool_and_client() -> None:
    """Claims shaped by moto's Cognito (not by this file) pass with moto's published key."""
    from moto.utilities.utils import load_resource

    with fake_aws():
        idp = boto3.client("cognito-idp", region_name=REGION)
        pool = idp.create_user_pool(PoolName="p")["UserPool"]
        client = idp.create_user_pool_client(
            UserPoolId=pool["Id"], ClientName="web", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]
        idp.admin_create_user(UserPoolId=pool["Id"], Username="ann", TemporaryPassword="Passw0rd!x")
        idp.admin_set_user_password(
            UserPoolId=pool["Id"], Username="ann", Password="Passw0rd!x", Permanent=True
        )
        result = idp.admin_initiate_auth(
            UserPoolId=pool["Id"],
            ClientId=client["ClientId"],
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "ann", "PASSWORD": "Passw0rd!x"},
        )["AuthenticationResult"]
    public = load_resource("cognitoidp/resources/jwks-public.json")
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool['Id']}"
    v = tokens.CognitoVerifier(issuer=issuer, client_ids={client["ClientId"]}, fetch=lambda url: public)
    assert v.verify(result["AccessToken"])["token_use"] == "access"
    id_verifier = tokens.CognitoVerifier(
        issuer=issuer, client_ids={client["ClientId"]}, token_uses={"id"}, fetch=lambda url: public
    )
    assert id_verifier.verify(result["IdToken"])["token_use"] == "id"
    with pytest.raises(tokens.InvalidToken, match="token_use"):
        v.verify(result["IdToken"])


# helpers for forged tokens


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _swap_payload(token: str, payload: dict[str, Any]) -> str:
    header, _, signature = token.split(".")
    return ".".join([header, _b64(json.dumps(payload).encode()), signature])


def _flip_signature_bit(token: str) -> str:
    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return ".".join([header, payload, _b64(bytes(raw))])


def _unsigned(payload: dict[str, Any]) -> str:
    header = {"alg": "none", "kid": KEY.kid}
    return ".".join([_b64(json.dumps(header).encode()), _b64(json.dumps(payload).encode()), ""])


def _hmac_with_public_key(payload: dict[str, Any]) -> str:
    import hashlib
    import hmac

    secret = json.dumps(KEY.as_dict(private=False)).encode()
    signing_input = ".".join(
        [_b64(json.dumps({"alg": "HS256", "kid": KEY.kid}).encode()), _b64(json.dumps(payload).encode())]
    )
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def _decoded_parts(token: str) -> list[bytes]:
    return [tokens.b64url_decode(part) for part in token.split(".")]


GOOD_TOKEN = sign(claims(exp=int(time.time()) + 24 * 3600))
VERIFIER = verifier()


# Connections -------------------------------------------------------------------------------------

TABLE = "connections"


def create_table() -> Any:
    """The connections table with the key schema the component declares (store's names)."""
    dynamodb = boto3.resource("dynamodb", region_name=REGION)
    return dynamodb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": store.CONNECTION_ID, "AttributeType": "S"},
            {"AttributeName": store.USER_ID, "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": store.CONNECTION_ID, "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": store.BY_USER_INDEX,
                "KeySchema": [{"AttributeName": store.USER_ID, "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto, the connections table, and the functions' environment as the component sets it."""
    with fake_aws():
        monkeypatch.setenv("AWS_REGION", REGION)
        monkeypatch.setenv("TABLE_NAME", TABLE)
        monkeypatch.setenv("MANAGEMENT_ENDPOINT", f"https://abc123.execute-api.{REGION}.amazonaws.com/prod")
        for cached in (connections.table, fanout.table, fanout.management):
            cached.cache_clear()
        yield create_table()
        for cached in (connections.table, fanout.table, fanout.management):
            cached.cache_clear()


def route_event(route: str, connection_id: str, user: str = USER, body: str | None = None) -> dict[str, Any]:
    return {
        "requestContext": {
            "routeKey": route,
            "connectionId": connection_id,
            "apiId": "abc123",
            "stage": "prod",
            "domainName": "ws.dev.social.example.com",
            "authorizer": {"principalId": user, "userId": user},
        },
        "body": body,
    }


def test_connect_records_the_verified_user_until_api_gateway_would_close_it(aws: Any) -> None:
    before = int(time.time())
    assert connections.handler(route_event("$connect", "c-1"))["statusCode"] == 200
    item = aws.get_item(Key={store.CONNECTION_ID: "c-1"})["Item"]
    assert item[store.USER_ID] == USER
    assert before + 2 * 3600 <= item[store.EXPIRES_AT] <= int(time.time()) + 2 * 3600
    assert list(store.connections_of(aws, USER)) == ["c-1"]


def test_disconnect_forgets_the_connection(aws: Any) -> None:
    connections.handler(route_event("$connect", "c-1"))
    connections.handler(route_event("$connect", "c-2"))
    assert connections.handler(route_event("$disconnect", "c-1"))["statusCode"] == 200
    assert list(store.connections_of(aws, USER)) == ["c-2"]


def sent(connection_id: str) -> bytes:
    from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    backend = apigatewaymanagementapi_backends[DEFAULT_ACCOUNT_ID][REGION]
    connection = backend.connections.get(connection_id)
    return b"" if connection is None else bytes(connection.data)


def test_default_route_answers_ping_on_the_same_connection(aws: Any) -> None:
    answer = connections.handler(route_event("$default", "c-9", body=json.dumps({"action": "ping"})))
    assert answer["statusCode"] == 200
    assert json.loads(sent("c-9")) == {"type": "pong"}
    assert connections.handler(route_event("$default", "c-9", body="{"))["statusCode"] == 400


# Fan-out -----------------------------------------------------------------------------------------


def notification(recipients: Any, message: Any = None, event_id: str = "e-1") -> dict[str, Any]:
    """An event as EventBridge hands it to the function."""
    return {
        "version": "0",
        "id": event_id,
        "detail-type": fanout.DETAIL_TYPE,
        "source": "social.backend",
        "account": "111111111111",
        "time": "2026-12-01T20:00:00Z",
        "region": REGION,
        "resources": [],
        "detail": {"recipients": recipients, "message": message},
    }


class ClosedConnections:
    """API Gateway's answer for connections the browser already left: HTTP 410 GoneException (the
    status and code come from botocore's model of the management API). moto accepts posts to any
    connection, so the test answers for the closed ones."""

    def __init__(self, client: Any, gone: set[str], failing: set[str] | None = None) -> None:
        self.gone, self.failing = gone, failing or set()
        model = client.meta.service_model
        self.status = {
            code: model.shape_for(code).metadata["error"]["httpStatusCode"]
            for code in ("GoneException", "LimitExceededException")
        }
        client.meta.events.register("before-call.apigatewaymanagementapi.PostToConnection", self)

    def __call__(self, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        connection_id = params["url_path"].rsplit("/", 1)[-1]
        code = (
            "GoneException"
            if connection_id in self.gone
            else "LimitExceededException"
            if connection_id in self.failing
            else None
        )
        if code is None:
            return None
        status = self.status[code]
        error = {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
        return type("Http", (), {"status_code": status, "headers": {}})(), error


def test_gone_exception_is_http_410_in_the_management_api_model() -> None:
    model = boto3.client("apigatewaymanagementapi", region_name=REGION).meta.service_model
    assert model.shape_for("GoneException").metadata["error"]["httpStatusCode"] == 410


def test_fanout_reaches_every_connection_of_each_recipient_and_drops_the_gone(aws: Any) -> None:
    for connection_id, user in [("a-phone", "ann"), ("a-laptop", "ann"), ("b-1", "bob"), ("c-1", "cy")]:
        store.put_connection(aws, connection_id, user, int(time.time()))
    ClosedConnections(fanout.management(), gone={"a-laptop"})
    result = fanout.handler(notification(["ann", "bob", "ann"], {"text": "hi"}))
    assert result == {"delivered": 2, "gone": 1, "failed": 0}
    expected = {"id": "e-1", "type": fanout.DETAIL_TYPE, "message": {"text": "hi"}}
    assert json.loads(sent("a-phone")) == expected
    assert json.loads(sent("b-1")) == expected
    assert sent("c-1") == b"", "cy was not a recipient"
    assert list(store.connections_of(aws, "ann")) == ["a-phone"], "the 410 connection is removed"


def test_fanout_retries_when_a_connection_fails_for_another_reason(aws: Any) -> None:
    store.put_connection(aws, "a-1", "ann", int(time.time()))
    store.put_connection(aws, "b-1", "bob", int(time.time()))
    ClosedConnections(fanout.management(), gone=set(), failing={"a-1"})
    with pytest.raises(fanout.DeliveryFailed):
        fanout.handler(notification(["ann", "bob"], {"n": 1}))
    assert json.loads(sent("b-1"))["message"] == {"n": 1}, "the others were still tried"
    assert list(store.connections_of(aws, "ann")) == ["a-1"], "a throttled connection is kept"


@pytest.mark.parametrize("recipients", ["ann", [1, 2], None, ["u"] * (fanout.MAX_RECIPIENTS + 1)])
def test_fanout_drops_malformed_events_without_retrying(aws: Any, recipients: Any) -> None:
    store.put_connection(aws, "a-1", "u", int(time.time()))
    assert fanout.handler(notification(recipients)) == {"delivered": 0, "gone": 0, "failed": 0}


def test_the_bus_rule_routes_notifications_to_the_fanout_as_the_handler_expects(aws: Any) -> None:
    """An event published to the bus by the backend reaches a rule with the function's pattern, in
    the shape the handler reads (delivered here to an SQS queue, since moto runs no functions)."""
    events = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    events.create_event_bus(Name="platform")
    events.put_rule(Name="fanout", EventBusName="platform", EventPattern=json.dumps(fanout.EVENT_PATTERN))
    queue_url = sqs.create_queue(QueueName="seen")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_targets(Rule="fanout", EventBusName="platform", Targets=[{"Id": "q", "Arn": queue_arn}])

    def publish(detail_type: str, detail: dict[str, Any]) -> None:
        events.put_events(
            Entries=[
                {
                    "EventBusName": "platform",
                    "Source": "social.backend",
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail),
                }
            ]
        )

    publish(fanout.DETAIL_TYPE, {"recipients": ["ann"], "message": {"text": "hello"}})
    publish(fanout.DETAIL_TYPE, {"message": "no recipients"})
    publish("CoinsCredited", {"recipients": ["ann"]})
    delivered = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert len(delivered) == 1
    event = json.loads(delivered[0]["Body"])

    store.put_connection(aws, "a-1", "ann", int(time.time()))
    assert fanout.handler(event)["delivered"] == 1
    assert json.loads(sent("a-1"))["message"] == {"text": "hello"}
    assert json.loads(sent("a-1"))["id"] == event["id"]


def test_client_errors_other_than_gone_are_not_swallowed_by_the_store(aws: Any) -> None:
    with pytest.raises(ClientError):
        store.put_connection(boto3.resource("dynamodb", region_name=REGION).Table("missing"), "x", "u", 0)


def _raw_signature(token: str, encoded: bytes) -> str:
    """`token` re-signed with the raw RSA private operation on `encoded` (a PKCS #1 block we choose)."""
    numbers = KEY.private_key.private_numbers()  # type: ignore[union-attr]
    n, d = numbers.public_numbers.n, numbers.d
    signature = pow(int.from_bytes(encoded, "big"), d, n).to_bytes(len(encoded), "big")
    header, payload, _ = token.split(".")
    return ".".join([header, payload, _b64(signature)])


def test_only_the_exact_pkcs1_block_verifies_not_one_that_merely_ends_with_the_digest() -> None:
    import hashlib

    token = sign(claims())
    header, payload, _ = token.split(".")
    digest = hashlib.sha256(f"{header}.{payload}".encode()).digest()
    info = bytes.fromhex("3031300d060960864801650304020105000420")
    k = 256
    good = b"\x00\x01" + b"\xff" * (k - len(info) - len(digest) - 3) + b"\x00" + info + digest
    assert _raw_signature(token, good) == token, "the raw operation reproduces joserfc's signature"
    assert VERIFIER.verify(_raw_signature(token, good))["sub"] == USER
    forgeries = {
        "garbage instead of padding": b"\x00\x01"
        + b"\x5a" * (k - len(info) - len(digest) - 3)
        + b"\x00"
        + info
        + digest,
        "another algorithm's DigestInfo": b"\x00\x01"
        + b"\xff" * (k - 15 - len(digest) - 3)
        + b"\x00"
        + bytes.fromhex("3021300906052b0e03021a05000414")[:15]
        + digest,
        "block type 2": b"\x00\x02" + b"\xff" * (k - len(info) - len(digest) - 3) + b"\x00" + info + digest,
    }
    for why, block in forgeries.items():
        assert len(block) == k, why
        with pytest.raises(tokens.InvalidToken, match="signature"):
            VERIFIER.verify(_raw_signature(token, block))
