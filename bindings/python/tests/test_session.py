"""Sessions, the asynchronous interface and audits against the lab."""

import selectors
import threading

import pytest

import dnsvet


def test_session_reuse_shares_the_cache(lab, tokens):
    with dnsvet.Session(**lab) as s:
        a = s.check("healthy-shop.com", dkim_tokens=tokens("healthy"))
        b = s.check("suffix-gallery.com", dkim_tokens=tokens("double-suffix"))
        assert (a.verdict, b.verdict) == ("ready", "broken")
        st = s.stats()
        assert st["checks"] == 2
        assert st["queries"] >= a.stats["queries"] + b.stats["queries"]
        # the root and com referrals of the second domain come from the cache
        assert st["cache_hits"] > 0


def test_audit_yields_every_report_once(lab, tokens):
    reqs = ["healthy-shop.com",
            {"domain": "suffix-gallery.com", "dkim_tokens": tokens("double-suffix")},
            {"domain": "cache-bistro.com", "dkim_tokens": tokens("stale-cache"),
             "label": "stale"},
            "healthy-shop.com"]
    reports = list(dnsvet.audit(iter(reqs), jobs=2, **lab))
    assert sorted(r.domain for r in reports) == sorted(
        ["healthy-shop.com", "suffix-gallery.com", "cache-bistro.com", "healthy-shop.com"])
    by = {r.domain: r for r in reports}
    assert by["suffix-gallery.com"].verdict == "broken"
    assert by["cache-bistro.com"].verdict == "pending"
    assert by["cache-bistro.com"].label == "stale"
    assert all(r.ok for r in reports)


def test_audit_is_lazy_and_keeps_the_job_limit(lab):
    seen = []

    def requests():
        for i in range(6):
            seen.append(i)
            yield "healthy-shop.com"

    with dnsvet.Session(**lab) as s:
        gen = s.audit(requests(), jobs=2)
        first = next(gen)
        assert first.domain == "healthy-shop.com"
        # at most jobs requests were taken before the first report came out
        assert len(seen) <= 3
        assert s.pending <= 2
        rest = list(gen)
    assert len(rest) == 5 and len(seen) == 6


def test_audit_keeps_a_check_that_cannot_run(lab, tmp_path):
    missing = tmp_path / "nowhere.yaml"
    reports = list(dnsvet.audit([{"domain": "healthy-shop.com", "replay": str(missing)},
                                 "healthy-shop.com"], **lab))
    assert len(reports) == 2
    bad = [r for r in reports if not r.ok]
    assert len(bad) == 1
    assert bad[0].verdict == "unknown"
    assert bad[0].status != dnsvet.Status.OK and bad[0].error
    assert "nowhere.yaml" in bad[0].error


def test_submit_and_process_from_a_selector_loop(lab, tokens):
    with dnsvet.Session(**lab) as s:
        tickets = {s.submit("healthy-shop.com", dkim_tokens=tokens("healthy")): "healthy",
                   s.submit("suffix-gallery.com", dkim_tokens=tokens("double-suffix")):
                   "suffix"}
        assert s.pending == 2
        done = dict(s.process(0))
        sel = selectors.DefaultSelector()
        sel.register(s.fileno(), selectors.EVENT_READ)
        while s.pending:
            t = s.next_timeout_ms()
            sel.select(None if t < 0 else t / 1000)
            done.update(s.process(0))
        sel.close()
    assert set(done) == set(tickets)
    verdicts = {tickets[t]: r.verdict for t, r in done.items()}
    assert verdicts == {"healthy": "ready", "suffix": "broken"}


def test_a_session_belongs_to_its_thread(lab):
    with dnsvet.Session(**lab) as s:
        caught = []

        def other():
            try:
                s.check("healthy-shop.com")
            except dnsvet.Error as e:
                caught.append(e)

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert len(caught) == 1 and caught[0].status == dnsvet.Status.STATE
        assert "thread" in caught[0].message


def test_closed_session_refuses_work(lab):
    s = dnsvet.Session(**lab)
    s.close()
    s.close()
    with pytest.raises(dnsvet.Error) as e:
        s.check("healthy-shop.com")
    assert e.value.status == dnsvet.Status.STATE


def test_library_messages_reach_the_logger(lab, tmp_path, caplog):
    (tmp_path / "custom").mkdir()
    (tmp_path / "custom" / "broken.lua").write_text("this is not lua (\n")
    with caplog.at_level("DEBUG", logger="dnsvet"):
        with dnsvet.Session(rules_dirs=[str(tmp_path)], **lab):
            pass
    msgs = [r.getMessage() for r in caplog.records if r.name == "dnsvet"]
    # the broken rule is left out with its file and line named; the session still works
    assert any("custom/broken.lua:1:" in m for m in msgs), msgs
