"""A one-shot run's Prefect clients read the certificate store once, not once each, when
their API is plain HTTP; a client of an https:// API keeps its own verifying context."""

import ssl
from pathlib import Path

import prefect.client.orchestration as orchestration
import pytest
from prefect.client.orchestration import PrefectClient, SyncPrefectClient
from prefect.settings import PREFECT_API_URL, temporary_settings

from ieiwatch.flows.local_server import prefect_for_one_run
from ieiwatch.flows.prefect_tls import is_plain_http, one_context_for_plain_http

PLAIN = "http://127.0.0.1:9/api"
SECURE = "https://prefect.example.org/api"


def _three_clients(api: str) -> None:
    PrefectClient(api)
    PrefectClient(api)
    SyncPrefectClient(api)


def test_prefect_clients_of_a_plain_http_api_share_one_tls_context(
    tls_contexts_made: list[ssl.SSLContext],
) -> None:
    with one_context_for_plain_http(PLAIN) as shared:
        _three_clients(PLAIN)
    assert shared is not None and shared.made == 1
    assert len(tls_contexts_made) == 1
    assert orchestration.ssl is ssl  # put back after the run


def test_without_sharing_each_client_reads_the_certificate_store(
    tls_contexts_made: list[ssl.SSLContext],
) -> None:
    _three_clients(PLAIN)
    assert len(tls_contexts_made) == 3


def test_clients_of_an_https_api_keep_their_own_verifying_contexts(
    tls_contexts_made: list[ssl.SSLContext],
) -> None:
    with one_context_for_plain_http(SECURE) as shared:
        assert orchestration.ssl is ssl
        _three_clients(SECURE)
    assert shared is None
    assert len(tls_contexts_made) == 3
    assert all(c.verify_mode == ssl.CERT_REQUIRED and c.check_hostname for c in tls_contexts_made)


def test_no_api_url_means_prefects_temporary_server_on_loopback() -> None:
    assert is_plain_http(None) and is_plain_http("") and is_plain_http("HTTP://127.0.0.1/api")
    assert not is_plain_http(SECURE)


@pytest.mark.parametrize(("configured", "shared"), [(PLAIN, True), (SECURE, False)])
def test_a_one_shot_run_shares_the_context_only_for_a_plain_http_api(
    tmp_path: Path, configured: str, shared: bool
) -> None:
    with temporary_settings({PREFECT_API_URL: configured}), prefect_for_one_run(tmp_path):
        assert (orchestration.ssl is not ssl) == shared
    assert orchestration.ssl is ssl


def test_a_prefect_without_those_modules_runs_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "ieiwatch.flows.prefect_tls.CLIENT_MODULES", ("prefect.no_such_module_here",)
    )
    with one_context_for_plain_http(PLAIN) as shared:
        assert shared is not None and orchestration.ssl is ssl
