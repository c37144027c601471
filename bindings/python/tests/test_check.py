"""dnsvet.check and reports against the lab."""

import json
import time

import pytest

import dnsvet


def test_healthy_domain_is_ready(lab, tokens):
    r = dnsvet.check("healthy-shop.com", dkim_tokens=tokens("healthy"),
                     mail_from="mail.healthy-shop.com", **lab)
    assert isinstance(r, dnsvet.Report)
    assert r.ok and r.error is None
    assert r.domain == "healthy-shop.com"
    assert r.verdict == "ready", [f.message for f in r.findings]
    assert r.pending_until is None
    assert not [f for f in r.findings if f.severity in ("error", "warning")]
    dkim = [rec for rec in r.records if rec.role == "dkim"]
    assert len(dkim) == 3
    for rec in dkim:
        assert rec.type == "CNAME" and rec.state == "ok" and rec.required
        assert rec.name.endswith("._domainkey.healthy-shop.com")
        assert rec.value.endswith(".dkim.amazonses.com")
    roles = {rec.role for rec in r.records}
    assert {"mail_from_mx", "mail_from_spf"} <= roles
    assert r.stats["queries"] > 0


def test_lame_delegation_finding_names_the_servers(lab, tokens):
    r = dnsvet.check("lame-bakery.com", dkim_tokens=tokens("lame"), region="eu-west-1",
                     mail_from="mail.lame-bakery.com", label="customer-42", **lab)
    assert r.label == "customer-42"
    lame = [f for f in r.findings if f.rule == "delegation.lame"]
    assert len(lame) == 1, [f.rule for f in r.findings]
    f = lame[0]
    # one server of three answers: lookups fail some of the time, SES can still verify
    assert f.severity == "warning"
    assert r.verdict != "broken"
    assert "ns2.lame-bakery.com" in f.message and "ns3.lame-bakery.com" in f.message
    assert f.fix
    assert isinstance(f.subject, dnsvet.Subject)
    assert f.subject.name == "lame-bakery.com"
    assert f.evidence is None or isinstance(f.evidence, list)


def test_double_suffix_is_broken_with_fixes(lab, tokens):
    r = dnsvet.check("suffix-gallery.com", dkim_tokens=tokens("double-suffix"),
                     mail_from="mail.suffix-gallery.com", **lab)
    assert r.verdict == "broken"
    assert r.pending_until is None
    rules = {f.rule for f in r.findings if f.severity == "error"}
    assert "record.name_double_suffix" in rules, rules
    for f in r.findings:
        assert f.message and f.subject.name.endswith("suffix-gallery.com")
        if f.rule == "record.name_double_suffix":
            assert "suffix-gallery.com.suffix-gallery.com" in f.message + (f.fix or "")
    assert any(x.state in ("missing", "wrong") for x in r.records)


def test_wrong_token_names_the_missing_record(lab):
    token = "a" * 32
    r = dnsvet.check("healthy-shop.com", dkim_tokens=[token], **lab)
    assert r.verdict == "broken"
    rec = [x for x in r.records if x.role == "dkim"]
    assert len(rec) == 1
    assert rec[0].name == f"{token}._domainkey.healthy-shop.com"
    assert rec[0].state == "missing"
    errs = [f for f in r.findings if f.severity == "error"]
    assert any(token in (f.subject.name or "") for f in errs), [f.rule for f in errs]


def test_pending_verdict_has_an_expiry(lab, tokens):
    r = dnsvet.check("cache-bistro.com", dkim_tokens=tokens("stale-cache"), **lab)
    assert r.verdict == "pending", [(f.rule, f.severity) for f in r.findings]
    assert r.pending_until and r.pending_until > time.time()
    assert r.pending_until == max(f.expires for f in r.findings if f.expires)
    assert {x.state for x in r.records if x.role == "dkim"} == {"pending"}


def test_report_json_matches_the_objects(lab, tokens):
    r = dnsvet.check("suffix-gallery.com", dkim_tokens=tokens("double-suffix"), **lab)
    doc = json.loads(r.to_json())
    assert doc == r.to_dict()
    assert doc["schema"] == "dnsvet.report/1"
    assert doc["domain"] == "suffix-gallery.com"
    assert doc["verdict"] == r.verdict
    assert [f["rule"] for f in doc["findings"]] == [f.rule for f in r.findings]
    pretty = r.to_json(indent=2)
    assert "\n  " in pretty and json.loads(pretty) == doc


def test_ses_identity_json_gives_the_expectations(lab, tokens):
    identity = {
        "IdentityType": "DOMAIN",
        "DkimAttributes": {"SigningEnabled": True, "Status": "PENDING",
                           "Tokens": tokens("healthy"), "SigningAttributesOrigin": "AWS_SES",
                           "SigningHostedZone": "dkim.amazonses.com"},
        "MailFromAttributes": {"MailFromDomain": "mail.healthy-shop.com",
                               "MailFromDomainStatus": "PENDING",
                               "BehaviorOnMxFailure": "USE_DEFAULT_VALUE"},
        "VerificationStatus": "PENDING",
    }
    by_dict = dnsvet.check("healthy-shop.com", ses_identity=identity, **lab)
    by_text = dnsvet.check("healthy-shop.com", ses_identity=json.dumps(identity), **lab)
    for r in (by_dict, by_text):
        names = {x.name for x in r.records if x.role == "dkim"}
        assert names == {f"{t}._domainkey.healthy-shop.com" for t in tokens("healthy")}
        assert any(x.role == "mail_from_mx" and x.name == "mail.healthy-shop.com"
                   for x in r.records)


def test_record_and_replay_give_the_same_findings(lab, tokens, tmp_path):
    path = tmp_path / "suffix.yaml"
    live = dnsvet.check("suffix-gallery.com", dkim_tokens=tokens("double-suffix"),
                        record=str(path), **lab)
    assert path.stat().st_size > 0
    # offline: no lab options, nothing reaches the network
    again = dnsvet.check("suffix-gallery.com", replay=path, resolvers="none")
    assert again.verdict == live.verdict
    assert [(f.rule, f.subject) for f in again.findings] == \
        [(f.rule, f.subject) for f in live.findings]
