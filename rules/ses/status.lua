-- ses.status: what the SES identity status means, given what DNS shows now.
return {
  id = "ses.status",
  title = "SES identity status explained",
  severity = "notice",
  tags = {"ses", "status", "summary"},
  summary = "Explains the identity's SES verification status and error type against what the DNS serves now.",
  fix = "When the records are right now, resubmit verification in the SES console ({region}): Verified identities, {identity}, retry verification. When they are not, fix them first (the other findings give each exact entry).",
  references = {"https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-verification.html",
                "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetEmailIdentity.html",
                "https://repost.aws/knowledge-center/ses-verify-domain-pending-unverified"},
  order = 97,
  doc = [[
Runs when the SES identity JSON (`aws sesv2 get-email-identity`) was given. Compares the
status SES reports, its time of last check and its ErrorType with what the authoritative
servers serve now for the records that verify the identity (the three Easy DKIM CNAMEs, the
BYODKIM TXT, or the legacy `_amazonses` TXT) and for the MAIL FROM MX.

Why: SES polls the DNS on its own schedule. It keeps checking a pending identity for 72 hours,
then marks it FAILED and stops; identities that failed repeatedly or stayed unverified a long
time are checked less often. The status shown in a console is therefore often out of date: a
FAILED identity whose records are now right will not recover without a resubmission, and a
verified identity whose records were removed will fail later.

Outcomes (one finding for the identity, one for the MAIL FROM domain when its status needs
explaining):
- error: FAILED while the records are right now: resubmit verification;
- error: FAILED and the records are still wrong: fix them (other findings say how), then
  resubmit;
- warning: PENDING, records right now, but SES has not checked for more than a day: it may
  have deprioritised the identity; resubmit to trigger a check;
- info: PENDING, records right now and checked recently: SES will see them on its next check;
- notice: PENDING and records still wrong;
- warning: TEMPORARY_FAILURE: SES could not complete its lookup and retries; the message says
  whether the lookup would succeed now;
- warning: SUCCESS but a verifying record is now gone or wrong: SES will notice and the
  identity (or its DKIM signing) will fail;
- notice: NOT_STARTED;
- for each ErrorType the message says what SES saw and whether the DNS still shows it:
  HOST_NOT_FOUND (no such name), TYPE_NOT_FOUND (name without that record type),
  INVALID_VALUE (another value), DNS_SERVER_ERROR (lame servers, SERVFAIL, broken DNSSEC),
  SERVICE_ERROR (inside SES, not DNS), REPLICATION_* (Deterministic Easy DKIM replication
  from a primary region, not DNS).

Fix: as each outcome says; resubmission is in the SES console (Verified identities, the
identity, retry verification) or by deleting and re-creating the identity with the same
settings, which for Easy DKIM issues new tokens to publish.
]],

  check = function(ctx)
    local ses = ctx.ses
    if not ses then return end
    local expect = ctx.expect or {}
    local identity = dnsvet.name.normalize(ses.identity or ctx.domain or "")
    local region = expect.region or "its region"
    local now = ctx.now or 0

    local function norm(v) return dnsvet.name.normalize(v or "") end

    local function matches(rr, r)
      local v = r.value
      if not v then return true end
      if r.type == "CNAME" then return norm(rr.target) == norm(v) end
      if r.type == "MX" then
        local pref, host = v:match("^%s*(%d+)%s+(%S+)")
        return tonumber(pref) == rr.preference and norm(host) == norm(rr.exchange)
      end
      if r.type == "TXT" then return rr.text == v end
      return norm(rr.data) == norm(v)
    end

    local function in_zone(reply)
      if reply.source == nil then return true end
      for _, src in ipairs(reply.source) do
        if src == "parent" or src == "child" then return true end
      end
      return false
    end

    -- right | nxdomain | nodata | wrong | server_error | dnssec | unknown
    local function state_of(r)
      local name = norm(r.name)
      local entry = ctx:answers(name, r.type)
      if not entry then return "unknown" end
      for _, res in ipairs(entry.resolvers or {}) do
        if res.rcode == "SERVFAIL" and res.cd and res.cd.rcode == "NOERROR" then return "dnssec" end
      end
      -- the zone's own servers that answered; a zone that cannot be asked (not delegated,
      -- say) leaves the state unknown, not "nxdomain"
      local replies = dnsvet.authoritative(ctx, name, r.type)
      local failed = false
      for _, reply in ipairs(entry.auth or {}) do
        if in_zone(reply) and (reply.error or reply.aa == false
            or (reply.rcode ~= "NOERROR" and reply.rcode ~= "NXDOMAIN")) then
          failed = true
        end
      end
      if not replies then return failed and "server_error" or "unknown" end
      local right, bad = 0, nil
      for _, reply in ipairs(replies) do
        local found, good = false, false
        for _, rr in ipairs(reply.answer or {}) do
          if rr.name == name and (rr.type == r.type or rr.type == "CNAME") then
            found = true
            if rr.type == r.type and matches(rr, r) then good = true end
          end
        end
        if good then right = right + 1
        elseif reply.rcode == "NXDOMAIN" then bad = "nxdomain"
        elseif found then bad = "wrong"
        else bad = (bad == "nxdomain" or bad == "wrong") and bad or "nodata" end
      end
      if right == #replies then return failed and "server_error" or "right" end
      return bad or "wrong"
    end

    local function parse_time(s)
      if type(s) == "number" then return s end
      if type(s) ~= "string" then return nil end
      local y, mo, d, h, mi, sec = s:match("^(%d%d%d%d)-(%d%d)-(%d%d)[T ](%d%d):(%d%d):(%d%d)")
      if not y then return nil end
      y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
      -- days since 1970-01-01 in the proleptic Gregorian calendar
      if mo <= 2 then y = y - 1 end
      local era = y // 400
      local yoe = y - era * 400
      local doy = (153 * (mo + (mo > 2 and -3 or 9)) + 2) // 5 + d - 1
      local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
      local t = (era * 146097 + doe - 719468) * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(sec)
      local sign, oh, om = s:match("([%+%-])(%d%d):?(%d%d)$")
      if sign then
        local off = tonumber(oh) * 3600 + tonumber(om) * 60
        t = sign == "+" and t - off or t + off
      end
      return t
    end

    local function ago(t)
      local s = now - t
      if s < 0 then return "in the future" end
      if s >= 86400 then return ("%d d %d h ago"):format(s // 86400, (s % 86400) // 3600) end
      if s >= 3600 then return ("%d h %d min ago"):format(s // 3600, (s % 3600) // 60) end
      return ("%d min ago"):format(s // 60)
    end

    local words = {
      nxdomain = "does not exist (NXDOMAIN)", nodata = "exists without a record of that type",
      wrong = "has another value", server_error = "gets no usable answer from some authoritative servers",
      dnssec = "fails DNSSEC validation", unknown = "was not checked",
    }

    local function survey(roles)
      local checked, right, states, problems = 0, 0, {}, {}
      for _, r in ipairs(expect.records or {}) do
        if roles[r.role] then
          local st = state_of(r)
          if st ~= "unknown" then
            checked = checked + 1
            states[st] = (states[st] or 0) + 1
            if st == "right" then right = right + 1
            else problems[#problems + 1] = ("%s %s %s"):format(norm(r.name), r.type, words[st]) end
          end
        end
      end
      return {checked = checked, ok = checked > 0 and right == checked, states = states,
              problems = problems, right = right}
    end

    local function explain_error(etype, s)
      if not etype then return "" end
      local now_txt
      if etype == "HOST_NOT_FOUND" then
        now_txt = s.states.nxdomain and "The DNS still shows it: a record name does not exist."
          or (s.ok and "Now the names exist: they were added or fixed after SES's last lookup."
          or "Now the names exist, but the records are not all right yet.")
        return " SES reported HOST_NOT_FOUND: the record name did not exist when it looked. " .. now_txt
      elseif etype == "TYPE_NOT_FOUND" then
        now_txt = s.states.nodata and "The DNS still shows it: a name exists without the needed record type."
          or (s.ok and "Now the records exist." or "Now the records exist, but not all are right yet.")
        return " SES reported TYPE_NOT_FOUND: the name existed but held no record of the needed type. " .. now_txt
      elseif etype == "INVALID_VALUE" then
        now_txt = s.states.wrong and "The DNS still shows it: a record has another value."
          or (s.ok and "Now the values are right." or "The values now differ in other ways.")
        return " SES reported INVALID_VALUE: the record held another value than the one it issued. " .. now_txt
      elseif etype == "DNS_SERVER_ERROR" then
        now_txt = (s.states.server_error or s.states.dnssec)
          and "The DNS still shows it: some authoritative servers or the DNSSEC chain fail."
          or "Now the servers answer properly."
        return " SES reported DNS_SERVER_ERROR: its lookup failed (timeout, SERVFAIL, lame servers or broken DNSSEC). " .. now_txt
      elseif etype == "SERVICE_ERROR" then
        return " SES reported SERVICE_ERROR: a problem inside SES, not in the DNS; it retries by itself."
      elseif etype:match("^REPLICATION_") then
        return (" SES reported %s: the identity copies its DKIM setup from a primary region (Deterministic Easy DKIM) and that failed; this is SES configuration (the primary identity, its region, the account's permission), not DNS."):format(etype)
      end
      return (" SES reported %s."):format(etype)
    end

    local resubmit = ("Resubmit: in the SES console (%s), open Verified identities, select %s and retry verification; if no retry is offered, delete the identity and create it again with the same settings (Easy DKIM then issues new tokens, which must be published).")
      :format(region, identity)
    local fix_first = "Fix the records first (the other findings give each exact entry), then "

    -- the identity
    local status = ses.verification_status or ses.dkim_status
    local roles
    if expect.signing_origin == "EXTERNAL" then roles = {byodkim = true}
    else roles = {dkim = true} end
    if expect.legacy_token then roles.legacy = true end
    local s = survey(roles)
    local checked_at = parse_time(ses.last_checked)
    local since = checked_at and (" SES last checked " .. ago(checked_at) .. ".") or ""
    local now_list = table.concat(s.problems, "; ")
    local why = #s.problems > 0 and (" Now: " .. now_list .. ".") or ""
    local report
    local subject = {name = identity, type = "SES"}

    if status == "FAILED" and s.checked > 0 then
      if s.ok then
        report = {severity = "error",
          message = ("SES marked %s FAILED, but the DNS is right now: all %d verifying records resolve. SES does not look again at a failed identity by itself.%s%s")
            :format(identity, s.checked, since, explain_error(ses.error_type, s)),
          action = resubmit}
      else
        report = {severity = "error",
          message = ("SES marked %s FAILED, and the DNS is still wrong.%s%s%s")
            :format(identity, why, since, explain_error(ses.error_type, s)),
          action = fix_first .. resubmit:sub(1, 1):lower() .. resubmit:sub(2)}
      end
    elseif status == "PENDING" and s.checked > 0 then
      if s.ok and checked_at and now - checked_at > 86400 then
        report = {severity = "warning",
          message = ("%s is PENDING although its records are right now, and SES has not checked it for a long time:%s Identities left unverified for long, or that failed several times, are checked less often.%s")
            :format(identity, since, explain_error(ses.error_type, s)),
          action = resubmit}
      elseif s.ok then
        report = {severity = "info",
          message = ("%s is PENDING and its records are right now; SES will see them on its next check (usually within hours; it keeps trying for 72 hours after the identity was created).%s%s")
            :format(identity, since, explain_error(ses.error_type, s)),
          action = "Wait for SES's next check; do not delete or re-create the identity meanwhile (that would issue new tokens)."}
      else
        report = {severity = "notice",
          message = ("%s is PENDING because its records are not right yet.%s%s%s")
            :format(identity, why, since, explain_error(ses.error_type, s)),
          action = "Fix the records (the other findings give each exact entry); SES keeps checking for 72 hours after the identity was created."}
      end
    elseif status == "TEMPORARY_FAILURE" then
      report = {severity = "warning",
        message = ("SES could not complete its check of %s (TEMPORARY_FAILURE) and will retry.%s%s%s")
          :format(identity, since, explain_error(ses.error_type, s),
            s.ok and " The lookup would succeed now." or why),
        action = s.ok and "Wait for SES to retry; if the status turns FAILED, resubmit verification."
          or "Fix what the other findings report so that SES's retry succeeds."}
    elseif status == "SUCCESS" and s.checked > 0 and not s.ok then
      report = {severity = "warning",
        message = ("SES verified %s, but now %s. SES rechecks verified identities; when its lookups keep failing it first reports TEMPORARY_FAILURE, then FAILED, and DKIM signing stops.")
          :format(identity, now_list),
        action = "Restore the records exactly as SES issued them (the other findings give each exact entry)."}
    elseif status == "NOT_STARTED" then
      report = {severity = "notice",
        message = ("SES has not started verifying %s (NOT_STARTED): no DKIM setup is active for it yet.%s"):format(identity, why),
        action = ("Enable DKIM for %s in the SES console (%s) or with `aws sesv2 put-email-identity-dkim-attributes`, then publish the records it issues."):format(identity, region)}
    end
    if report then
      ctx:report{subject = subject, severity = report.severity, message = report.message,
                 fix = report.action}
    end

    -- the MAIL FROM domain
    local mf = ses.mail_from_domain or expect.mail_from
    local mstatus = ses.mail_from_status
    if mf and mstatus then
      mf = norm(mf)
      local m = survey({mail_from_mx = true})
      local mlist = table.concat(m.problems, "; ")
      local mwhy = #m.problems > 0 and (" Now: " .. mlist .. ".") or ""
      local redo = ("aws sesv2 put-email-identity-mail-from-attributes --email-identity %s --mail-from-domain %s --region %s")
        :format(identity, mf, expect.region or "REGION")
      local mreport
      if mstatus == "FAILED" and m.checked > 0 then
        mreport = m.ok
          and {severity = "error",
               message = ("SES marked the MAIL FROM domain %s FAILED, but its MX is right now; SES does not look again by itself."):format(mf),
               action = ("Set the MAIL FROM domain again to restart the check: `%s`."):format(redo)}
          or {severity = "error",
               message = ("SES marked the MAIL FROM domain %s FAILED, and its MX is still wrong.%s"):format(mf, mwhy),
               action = ("Fix the MX (see the other findings), then set the MAIL FROM domain again: `%s`."):format(redo)}
      elseif mstatus == "TEMPORARY_FAILURE" then
        mreport = {severity = "warning",
          message = ("SES could not complete its check of the MAIL FROM domain %s (TEMPORARY_FAILURE) and will retry.%s")
            :format(mf, m.ok and " The MX is right now." or mwhy),
          action = "Wait for SES to retry, or fix what the other findings report."}
      elseif mstatus == "SUCCESS" and m.checked > 0 and not m.ok then
        mreport = {severity = "warning",
          message = ("SES verified the MAIL FROM domain %s, but now %s. SES will notice, and then falls back to its own MAIL FROM domain or rejects mail, depending on the identity's setting.")
            :format(mf, mlist),
          action = "Restore the MX record `10 feedback-smtp." .. (expect.region or "REGION") .. ".amazonses.com`."}
      end
      if mreport then
        ctx:report{subject = {name = mf, type = "SES"}, severity = mreport.severity,
                   message = mreport.message, fix = mreport.action}
      end
    end
  end,
}
