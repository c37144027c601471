"""Bad input: dnsvet.Error carries the C status and a message naming the place."""

import pytest

import dnsvet


def test_invalid_domain(lab):
    with pytest.raises(dnsvet.Error) as e:
        dnsvet.check("not a domain!", **lab)
    assert e.value.status == dnsvet.Status.INVALID
    assert "not a domain!" in e.value.message


def test_invalid_token_names_the_field(lab):
    with pytest.raises(dnsvet.Error) as e:
        dnsvet.check("healthy-shop.com", dkim_tokens=["short"], **lab)
    assert e.value.status == dnsvet.Status.INVALID
    assert "dkim_tokens" in e.value.message or "token" in e.value.message


def test_unknown_region_is_named(lab):
    with pytest.raises(dnsvet.Error) as e:
        dnsvet.check("healthy-shop.com", region="eu-wset-1", **lab)
    assert e.value.status == dnsvet.Status.INVALID
    assert "eu-wset-1" in e.value.message


def test_broken_ses_json_has_line_and_column(lab):
    with pytest.raises(dnsvet.Error) as e:
        dnsvet.check("healthy-shop.com", ses_identity='{\n  "DkimAttributes": [\n', **lab)
    assert e.value.status in (dnsvet.Status.PARSE, dnsvet.Status.INVALID)
    assert ":2:" in e.value.message or ":3:" in e.value.message, e.value.message


def test_bad_resolvers_fail_the_session():
    with pytest.raises(dnsvet.Error) as e:
        dnsvet.Session(resolvers="8.8.8.x")
    assert e.value.status in (dnsvet.Status.INVALID, dnsvet.Status.PARSE)
    assert "resolvers" in e.value.message
    assert "8.8.8.x" in e.value.message


def test_missing_root_hints_file():
    with pytest.raises(dnsvet.Error) as e:
        dnsvet.Session(root_hints="/nonexistent/named.root", resolvers="none")
    assert "/nonexistent/named.root" in e.value.message


def test_replay_of_a_missing_file_raises(tmp_path):
    with pytest.raises(dnsvet.Error) as e:
        dnsvet.check("healthy-shop.com", replay=tmp_path / "nowhere.yaml", resolvers="none")
    assert "nowhere.yaml" in e.value.message


def test_unknown_option_is_a_type_error(lab):
    with pytest.raises(TypeError, match="dkim_token"):
        dnsvet.check("healthy-shop.com", dkim_token=["x"], **lab)
    with pytest.raises(TypeError, match="dkim_tokens"):
        dnsvet.check("healthy-shop.com", dkim_tokens="a" * 32, **lab)


def test_error_is_an_exception_with_status():
    e = dnsvet.Error(dnsvet.Status.IO, "x.yaml: cannot open")
    assert isinstance(e, Exception)
    assert e.status == dnsvet.Status.IO and str(e) == "x.yaml: cannot open"
    assert dnsvet.Error(2).message  # the library's text for the status


def test_nul_in_a_name_is_refused_not_truncated(lab):
    with pytest.raises(dnsvet.Error) as e:
        dnsvet.check("healthy-shop.com\0.evil", **lab)
    assert e.value.status == dnsvet.Status.INVALID
    assert "domain" in e.value.message and "NUL" in e.value.message
