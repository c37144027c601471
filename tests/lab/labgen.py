#!/usr/bin/python3
"""dnsvet DNS lab: turns scenario files into NSD/Unbound configs and runs them.

Subcommands (all take --dir RUNDIR):
  start [-s NAME]... [--delay MS]   generate configs, start every server, wait until each
                                    answers, run the priming steps, switch to final data
  gen   [-s NAME]... [--delay MS]   only generate (inspection / debugging)
  stop                              kill the processes recorded in RUNDIR/pids
  env                               print the environment (export lines) for RUNDIR

The namespace handling lives in the labrun / lab shell scripts; this file never touches
anything outside RUNDIR except binding loopback addresses.
"""

import argparse
import base64
import ipaddress
import json
import os
import random
import select
import shutil
import signal
import socket
import subprocess
import sys
import time

import yaml
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO_DIR = os.environ.get("LAB_SCENARIO_DIR", os.path.join(HERE, "scenarios"))
BASE_NAME = "base"
BASE_NET = ipaddress.ip_network("127.53.0.0/16")
BACKEND_PORT = 10053          # where NSD listens behind delayproxy (--delay)
DEFAULT_TTL = 3600
DEFAULT_SERIAL = 2024061001
PARENT_NS_TTL = 172800
READY_TIMEOUT = 15.0


class LabError(Exception):
    pass


def die(msg):
    print("lab: error: " + msg, file=sys.stderr)
    sys.exit(2)


def which(prog):
    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin"
    found = shutil.which(prog, path=path)
    if not found:
        raise LabError("required program not found: " + prog)
    return found


def dname(text):
    if not isinstance(text, str) or not text:
        raise LabError("bad domain name: %r" % (text,))
    if not text.endswith("."):
        text += "."
    return dns.name.from_text(text)


def ntext(name):
    return name.to_text()


def fname(name):
    """File-system-safe spelling of a domain name."""
    t = name.to_text(omit_final_dot=True)
    return "root" if t in ("", ".") else t


# --------------------------------------------------------------------------------------
# model


class Server:
    def __init__(self, name, addrs, kind, mode, scenario):
        self.name = name
        self.addrs = addrs
        self.kind = kind            # nsd | misbehave | none
        self.mode = mode            # misbehave forced mode (None: select by first label)
        self.scenario = scenario
        self.zones = []             # Zone objects served
        self.owner = None           # the lab zone holding this name's address records

    @property
    def key(self):
        return fname(self.name)


class Content:
    """One version of a zone's data (the default, a per-server variant, a 'before' phase)."""

    def __init__(self, spec, inherit, zone, where):
        self.serial = int(spec.get("serial", inherit.serial if inherit else DEFAULT_SERIAL))
        self.ttl = int(spec.get("ttl", inherit.ttl if inherit else DEFAULT_TTL))
        self.negative_ttl = int(spec.get("negative_ttl",
                                         inherit.negative_ttl if inherit else 300))
        self.ns = ([dname(n) for n in spec["ns"]] if "ns" in spec
                   else (list(inherit.ns) if inherit else None))
        self.soa = spec.get("soa", inherit.soa if inherit else None)
        if "records" in spec or "file" in spec:
            text = spec.get("records") or ""
            if "file" in spec:
                path = os.path.join(zone.scenario_dir, spec["file"])
                try:
                    with open(path) as f:
                        text = f.read() + "\n" + text
                except OSError as e:
                    raise LabError("%s: cannot read %s: %s" % (where, path, e))
            self.text = text
        else:
            self.text = inherit.text if inherit else ""
        self.where = where


class Zone:
    def __init__(self, origin, spec, scenario, scenario_dir):
        self.origin = origin
        self.scenario = scenario
        self.scenario_dir = scenario_dir
        where = "scenario %s, zone %s" % (scenario, ntext(origin))
        self.where = where
        known = {"ns", "servers", "parent_ns", "delegated", "glue", "records", "file",
                 "serial", "ttl", "negative_ttl", "soa", "variants", "before", "sign",
                 "broken_signature", "ds", "auto_addresses", "description"}
        for k in spec:
            if k not in known:
                raise LabError("%s: unknown key '%s'" % (where, k))
        self.content = Content(spec, None, self, where)
        if self.content.ns is None:
            raise LabError("%s: 'ns' (the zone's name servers) is required" % where)
        self.server_names = ([dname(n) for n in spec["servers"]] if "servers" in spec
                             else None)
        self.parent_ns = ([dname(n) for n in spec["parent_ns"]] if "parent_ns" in spec
                          else None)
        self.delegated = bool(spec.get("delegated", True))
        self.glue = spec.get("glue", True)
        self.auto_addresses = bool(spec.get("auto_addresses", True))
        self.variants = {}
        for sname, vspec in (spec.get("variants") or {}).items():
            self.variants[dname(sname)] = Content(vspec or {}, self.content, self,
                                                  "%s, variant %s" % (where, sname))
        self.before = None
        if "before" in spec:
            self.before = Content(spec["before"] or {}, self.content, self,
                                  "%s, before" % where)
        self.sign = spec.get("sign", None)      # None: only if DNSSEC needs it
        self.broken = spec.get("broken_signature", None)
        if self.broken not in (None, False, True, "expired", "corrupt", "not-yet-valid"):
            raise LabError("%s: broken_signature must be expired, corrupt or "
                           "not-yet-valid" % where)
        if self.broken is True:
            self.broken = "corrupt"
        self.ds = spec.get("ds", "auto")
        if self.ds not in ("auto", "none", "wrong"):
            raise LabError("%s: ds must be auto, none or wrong" % where)
        self.parent = None
        self.children = []
        self.servers = []
        self.keys = None
        self.ds_rrs = []

    def contents_for(self, server):
        return self.variants.get(server.name, self.content)


class Resolver:
    def __init__(self, name, spec, scenario):
        self.name = name
        self.scenario = scenario
        where = "scenario %s, resolver %s" % (scenario, name)
        if "address" not in spec:
            raise LabError("%s: 'address' is required" % where)
        self.addr = str(spec["address"])
        self.validate = bool(spec.get("validate", False))
        self.options = spec.get("options") or {}
        self.sample = bool(spec.get("sample", True))


class World:
    def __init__(self):
        self.servers = {}       # dns.name -> Server
        self.zones = {}         # dns.name -> Zone
        self.resolvers = {}     # str -> Resolver
        self.prime = []
        self.addr_owner = {}    # address -> description
        self.scenarios = []
        self.add_records = []   # (zone origin, text, scenario)
        self.dnssec = False
        self.delay = 0
        self.ses_dkim_key = None

    def claim(self, addr, what, scenario):
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            raise LabError("%s: bad address %r" % (what, addr))
        if ip.version != 4 or not ip.is_loopback or str(ip) == "127.0.0.1":
            raise LabError("%s: address %s is not a lab address (use 127.x.y.z, not "
                           "127.0.0.1)" % (what, addr))
        if scenario != BASE_NAME and ip in BASE_NET:
            raise LabError("%s: address %s is inside 127.53.0.0/16, reserved for the base "
                           "world" % (what, addr))
        if addr in self.addr_owner:
            raise LabError("address collision: %s is used by %s and by %s"
                           % (addr, self.addr_owner[addr], what))
        self.addr_owner[addr] = what


def load_yaml(path):
    try:
        with open(path) as f:
            data = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as e:
        raise LabError("cannot read %s: %s" % (path, e))
    except yaml.YAMLError as e:
        raise LabError("%s: YAML error: %s" % (path, e))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise LabError("%s: top level must be a mapping" % path)
    return data


def load_scenario(world, name):
    path = os.path.join(SCENARIO_DIR, name + ".yaml")
    if not os.path.exists(path):
        avail = sorted(f[:-5] for f in os.listdir(SCENARIO_DIR) if f.endswith(".yaml"))
        raise LabError("no such scenario '%s' (available: %s)" % (name, ", ".join(avail)))
    data = load_yaml(path)
    sdir = os.path.join(SCENARIO_DIR, name)
    known = {"description", "servers", "zones", "resolvers", "prime", "add_records",
             "dnssec", "ses_tokens", "ses_dkim_key"}
    for k in data:
        if k not in known:
            raise LabError("scenario %s: unknown top-level key '%s'" % (name, k))
    world.scenarios.append(name)
    for sname, spec in (data.get("servers") or {}).items():
        spec = spec or {}
        n = dname(sname)
        what = "server %s (scenario %s)" % (ntext(n), name)
        if n in world.servers:
            raise LabError("%s: already defined by scenario %s"
                           % (what, world.servers[n].scenario))
        addrs = spec.get("addresses") or ([spec["address"]] if "address" in spec else [])
        if not addrs:
            raise LabError("%s: 'address' is required" % what)
        addrs = [str(a) for a in addrs]
        for a in addrs:
            world.claim(a, what, name)
        kind = spec.get("kind", "nsd")
        if kind not in ("nsd", "misbehave", "none"):
            raise LabError("%s: kind must be nsd, misbehave or none" % what)
        world.servers[n] = Server(n, addrs, kind, spec.get("mode"), name)
    for zname, spec in (data.get("zones") or {}).items():
        n = dname(zname)
        if n in world.zones:
            raise LabError("zone %s (scenario %s): already defined by scenario %s"
                           % (ntext(n), name, world.zones[n].scenario))
        world.zones[n] = Zone(n, spec or {}, name, sdir)
    for rname, spec in (data.get("resolvers") or {}).items():
        what = "resolver %s (scenario %s)" % (rname, name)
        if rname in world.resolvers:
            raise LabError("%s: name already used by scenario %s"
                           % (what, world.resolvers[rname].scenario))
        r = Resolver(rname, spec or {}, name)
        world.claim(r.addr, what, name)
        world.resolvers[rname] = r
    for step in data.get("prime") or []:
        if not isinstance(step, dict) or "resolver" not in step or "name" not in step:
            raise LabError("scenario %s: each prime step needs resolver and name" % name)
        world.prime.append(dict(step, scenario=name))
    for zname, text in (data.get("add_records") or {}).items():
        world.add_records.append((dname(zname), text, name))
    if data.get("dnssec"):
        world.dnssec = True
    if "ses_dkim_key" in data:
        world.ses_dkim_key = str(data["ses_dkim_key"])
    tokens = data.get("ses_tokens") or []
    if tokens:
        if not world.ses_dkim_key:
            raise LabError("scenario %s: ses_tokens needs ses_dkim_key in the base world"
                           % name)
        lines = []
        for t in tokens:
            t = str(t).strip(".")
            # a bare token lives under dkim.amazonses.com; 'tok.dkim.eu-west-1' as given
            rel = t if "." in t else t + ".dkim"
            lines.append('%s 1800 TXT "%s"' % (rel, world.ses_dkim_key))
        world.add_records.append((dname("amazonses.com"), "\n".join(lines), name))


# --------------------------------------------------------------------------------------
# building the zone data


def parse_records(text, origin, ttl, where):
    try:
        z = dns.zone.from_text("$TTL %d\n%s\n" % (ttl, text), origin=origin,
                               relativize=False, check_origin=False)
    except dns.exception.DNSException as e:
        raise LabError("%s: zone text: %s" % (where, e))
    except Exception as e:   # dnspython raises assorted errors on odd input
        raise LabError("%s: zone text: %s" % (where, e))
    return z


def owning_zone(world, name):
    best = None
    for z in world.zones.values():
        if name.is_subdomain(z.origin):
            if best is None or len(z.origin) > len(best.origin):
                best = z
    return best


def link_world(world):
    for z in world.zones.values():
        p = None
        for cand in world.zones.values():
            if cand is not z and z.origin.is_subdomain(cand.origin):
                if p is None or len(cand.origin) > len(p.origin):
                    p = cand
        z.parent = p
        if p is not None:
            p.children.append(z)
        elif z.origin != dns.name.root:
            raise LabError("%s: no parent zone in the lab" % z.where)
        names = z.server_names
        if names is None:
            names = []
            for n in list(z.content.ns) + list(z.parent_ns or []):
                if n in world.servers and n not in names:
                    names.append(n)
            for n in z.variants:
                if n not in names:
                    names.append(n)
        for n in names:
            if n not in world.servers:
                raise LabError("%s: server %s is not defined" % (z.where, ntext(n)))
            z.servers.append(world.servers[n])
            world.servers[n].zones.append(z)
        for n in z.variants:
            if n not in names:
                raise LabError("%s: variant for %s, which does not serve the zone"
                               % (z.where, ntext(n)))
    for s in world.servers.values():
        s.owner = owning_zone(world, s.name)
    for z in world.zones.values():
        if not any(s.kind == "nsd" for s in z.servers):
            # never rendered, but a typo in it should still be reported
            for c in [z.content, z.before] + list(z.variants.values()):
                if c is not None:
                    parse_records(c.text, z.origin, c.ttl, c.where)
    for origin, text, scen in world.add_records:
        if origin not in world.zones:
            raise LabError("scenario %s: add_records for unknown zone %s"
                           % (scen, ntext(origin)))
    # sign the chain above any signed zone, so validation has a path from the root
    if any(z.sign for z in world.zones.values()) or any(
            r.validate for r in world.resolvers.values()):
        world.dnssec = True
    if world.dnssec:
        for z in list(world.zones.values()):
            if z.sign:
                p = z.parent
                while p is not None:
                    if p.sign is None:
                        p.sign = True
                    p = p.parent
        root = world.zones.get(dns.name.root)
        if root is not None and root.sign is None:
            root.sign = True


def build_content(world, zone, content, server_key):
    """Returns a dns.zone.Zone holding everything this version of the zone serves."""
    origin = zone.origin
    z = parse_records(content.text, origin, content.ttl, content.where)
    for o, text, scen in world.add_records:
        if o == origin:
            extra = parse_records(text, origin, content.ttl,
                                  "scenario %s, add_records %s" % (scen, ntext(o)))
            for name, rds in extra.iterate_rdatasets():
                z.find_rdataset(name, rds.rdtype, create=True).union_update(rds)
    if z.get_rdataset(origin, dns.rdatatype.SOA) is None:
        mname = content.soa.get("mname") if isinstance(content.soa, dict) else None
        mname = mname or (ntext(content.ns[0]) if content.ns else ntext(origin))
        rname = "hostmaster." + ntext(origin) if origin != dns.name.root else "nstld.lab."
        if isinstance(content.soa, dict) and content.soa.get("rname"):
            rname = content.soa["rname"]
        rd = dns.rdata.from_text("IN", "SOA", "%s %s %d 7200 3600 1209600 %d" % (
            dname(mname), dname(rname), content.serial, content.negative_ttl))
        z.find_rdataset(origin, dns.rdatatype.SOA, create=True).add(rd, content.ttl)
    if z.get_rdataset(origin, dns.rdatatype.NS) is None and content.ns:
        rds = z.find_rdataset(origin, dns.rdatatype.NS, create=True)
        for n in content.ns:
            rds.add(dns.rdata.from_text("IN", "NS", ntext(n)), content.ttl)
    # delegations to the child zones the lab knows about
    for child in zone.children:
        if not child.delegated:
            continue
        nsset = child.parent_ns if child.parent_ns is not None else child.content.ns
        rds = z.find_rdataset(child.origin, dns.rdatatype.NS, create=True)
        for n in nsset:
            rds.add(dns.rdata.from_text("IN", "NS", ntext(n)), PARENT_NS_TTL)
        glue = {}
        if isinstance(child.glue, dict):
            glue = {dname(k): [str(a) for a in (v if isinstance(v, list) else [v])]
                    for k, v in child.glue.items()}
        elif child.glue:
            for n in nsset:
                if n.is_subdomain(origin) and n in world.servers:
                    glue[n] = world.servers[n].addrs
        for n, addrs in glue.items():
            grds = z.find_rdataset(n, dns.rdatatype.A, create=True)
            for a in addrs:
                grds.add(dns.rdata.from_text("IN", "A", a), PARENT_NS_TTL)
        for ds in child.ds_rrs:
            z.find_rdataset(child.origin, dns.rdatatype.DS, create=True).add(
                ds, PARENT_NS_TTL)
    # the zone's own servers named below a child cut need glue here (a.root-servers.net
    # in the root zone), as the child's data is not ours to answer from
    if content.ns:
        for n in content.ns:
            if (n.is_subdomain(origin) and n in world.servers
                    and world.servers[n].owner is not zone
                    and z.get_rdataset(n, dns.rdatatype.A) is None):
                grds = z.find_rdataset(n, dns.rdatatype.A, create=True)
                for a in world.servers[n].addrs:
                    grds.add(dns.rdata.from_text("IN", "A", a), PARENT_NS_TTL)
    # address records for lab servers whose names live in this zone
    if zone.auto_addresses:
        for s in world.servers.values():
            if s.owner is zone:
                if (z.get_rdataset(s.name, dns.rdatatype.A) is None
                        and z.get_rdataset(s.name, dns.rdatatype.CNAME) is None):
                    rds = z.find_rdataset(s.name, dns.rdatatype.A, create=True)
                    for a in s.addrs:
                        rds.add(dns.rdata.from_text("IN", "A", a), content.ttl)
    return z


def zone_text(z):
    origin = z.origin
    lines = []
    soa = z.get_rdataset(origin, dns.rdatatype.SOA)
    lines.append(dns.rrset.from_rdata_list(origin, soa.ttl, list(soa)).to_text())
    names = sorted(z.nodes.keys())
    for name in names:
        node = z.nodes[name]
        for rds in sorted(node.rdatasets, key=lambda r: r.rdtype):
            if name == origin and rds.rdtype == dns.rdatatype.SOA:
                continue
            lines.append(dns.rrset.from_rdata_list(name, rds.ttl, list(rds)).to_text())
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# DNSSEC (ldns-keygen / ldns-signzone)


def run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        raise LabError("%s failed: %s" % (" ".join(cmd), p.stderr.strip()))
    return p.stdout


def make_keys(zone, keydir):
    os.makedirs(keydir, exist_ok=True)
    o = ntext(zone.origin)
    ksk = run([which("ldns-keygen"), "-a", "ECDSAP256SHA256", "-k", o], cwd=keydir).strip()
    zsk = run([which("ldns-keygen"), "-a", "ECDSAP256SHA256", o], cwd=keydir).strip()
    ds_text = run([which("ldns-key2ds"), "-n", "-2", ksk + ".key"], cwd=keydir).strip()
    zone.keys = (os.path.join(keydir, zsk), os.path.join(keydir, ksk))
    ds_rr = ds_text.split()
    ds = dns.rdata.from_text("IN", "DS", " ".join(ds_rr[4:]))
    if zone.ds == "wrong":
        digest = bytes(b ^ 0x5a for b in ds.digest)
        ds = ds.replace(digest=digest)
    zone.ds_rrs = [] if zone.ds == "none" else [ds]
    return ds


def sign_file(zone, infile, outfile):
    zsk, ksk = zone.keys
    now = time.time()
    fmt = lambda t: time.strftime("%Y%m%d%H%M%S", time.gmtime(t))
    if zone.broken == "expired":
        inc, exp = now - 40 * 86400, now - 10 * 86400
    elif zone.broken == "not-yet-valid":
        inc, exp = now + 10 * 86400, now + 40 * 86400
    else:
        inc, exp = now - 86400, now + 30 * 86400
    run([which("ldns-signzone"), "-i", fmt(inc), "-e", fmt(exp), "-o",
         ntext(zone.origin), "-f", outfile, infile, zsk, ksk])
    if zone.broken == "corrupt":
        corrupt_signatures(outfile)


def corrupt_signatures(path):
    """Flips bits in every RRSIG except those over DNSKEY: the keys still match the DS,
    the data does not verify, so a validator must call the answers bogus."""
    out = []
    with open(path) as f:
        for line in f:
            parts = line.split(None, 4)
            if len(parts) == 5 and parts[3] == "RRSIG":
                rd = dns.rdata.from_text("IN", "RRSIG", parts[4])
                if rd.type_covered != dns.rdatatype.DNSKEY:
                    sig = bytearray(rd.signature)
                    sig[len(sig) // 2] ^= 0xff
                    sig[-1] ^= 0x01
                    rd = rd.replace(signature=bytes(sig))
                    line = "%s\t%s\t%s\tRRSIG\t%s\n" % (parts[0], parts[1], parts[2],
                                                       rd.to_text())
            out.append(line)
    with open(path, "w") as f:
        f.writelines(out)


# --------------------------------------------------------------------------------------
# generation


class Plan:
    """Everything 'start' needs: processes, readiness probes, priming, phase switch."""

    def __init__(self):
        self.procs = []         # dicts: name, argv, log, phase(s)
        self.probes = []        # dicts: name, addr, port, qname, qtype, qclass, serial
        self.switch = []        # NSD instances whose data changes after priming
        self.ready_files = []


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def nsd_conf(rundir, server, zones, port, phase):
    sdir = os.path.join(rundir, "nsd", server.key)
    lines = ["server:"]
    for a in server.addrs:
        lines.append("  ip-address: %s" % a)
    lines += [
        "  port: %d" % port,
        '  database: ""',
        '  username: ""',
        '  chroot: ""',
        '  zonesdir: "%s"' % sdir,
        '  pidfile: "%s/nsd-%s.pid"' % (sdir, phase),
        '  zonelistfile: "%s/zone.list"' % sdir,
        '  xfrdfile: "%s/xfrd.state"' % sdir,
        '  xfrdir: "%s"' % sdir,
        '  logfile: "%s/nsd.log"' % sdir,
        "  server-count: 1",
        "  verbosity: 1",
        "  do-ip6: no",
        "  hide-version: yes",
        "  identity: %s" % json.dumps(ntext(server.name)),
        "  tcp-count: 64",
        "  round-robin: no",
        # rate limiting would drop benchmark traffic; its default table also costs ~30 MB
        # and most of the startup time per instance
        "  rrl-size: 1000",
        "  rrl-ratelimit: 0",
        "  rrl-whitelist-ratelimit: 0",
        "remote-control:",
        "  control-enable: no",
    ]
    for origin, zfile in zones:
        lines += ["zone:", "  name: %s" % json.dumps(origin), "  zonefile: %s"
                  % json.dumps(zfile)]
    return "\n".join(lines) + "\n"


def root_hints(world):
    root = world.zones[dns.name.root]
    lines = ["; lab root hints (named.root format), generated by tests/lab/labgen.py"]
    for n in root.content.ns:
        lines.append("%-30s 3600000 NS %s" % (".", ntext(n)))
    for n in root.content.ns:
        for a in world.servers[n].addrs:
            lines.append("%-30s 3600000 A %s" % (ntext(n), a))
    return "\n".join(lines) + "\n"


def unbound_conf(rundir, r, world):
    d = os.path.join(rundir, "unbound", r.name)
    opts = {
        "interface": "%s@53" % r.addr,
        "port": "53",
        "do-ip6": "no",
        "do-ip4": "yes",
        "num-threads": "1",
        "so-reuseport": "no",
        "do-daemonize": "no",
        "chroot": '""',
        "username": '""',
        "directory": '"%s"' % d,
        "pidfile": '"%s/unbound.pid"' % d,
        "logfile": '"%s/unbound.log"' % d,
        "use-syslog": "no",
        "log-time-ascii": "yes",
        "verbosity": "1",
        "root-hints": '"%s"' % os.path.join(rundir, "unbound.root.hints"),
        "do-not-query-localhost": "no",
        "access-control": "127.0.0.0/8 allow",
        "hide-identity": "no",
        "identity": '"%s"' % r.name,
        "module-config": '"validator iterator"' if r.validate else '"iterator"',
        "prefetch": "no",
        "serve-expired": "no",
        "outgoing-range": "512",
        "infra-host-ttl": "60",
    }
    if r.validate:
        opts["trust-anchor-file"] = '"%s"' % os.path.join(rundir, "root.ds")
        opts["val-log-level"] = "2"
    for k, v in r.options.items():
        opts[k] = str(v)
    lines = ["server:"]
    for k, v in opts.items():
        lines.append("  %s: %s" % (k, v))
    # the lab uses special-use names (fault.test.) that Unbound blocks by default
    for lz in ("test.", "invalid.", "local.", "onion.", "home.arpa."):
        lines.append('  local-zone: "%s" nodefault' % lz)
    lines += ["remote-control:", "  control-enable: no"]
    write(os.path.join(d, "unbound.conf"), "\n".join(lines) + "\n")
    return os.path.join(d, "unbound.conf")


def delay_proxy(rundir, fronted, delay):
    """Builds tests/lab/delayproxy.c into the run dir; returns its argv for the servers
    in fronted (each address's port 53 relayed to BACKEND_PORT)."""
    d = os.path.join(rundir, "delayproxy")
    os.makedirs(d, exist_ok=True)
    exe = os.path.join(d, "delayproxy")
    run([which("cc"), "-O2", "-pthread", "-o", exe, os.path.join(HERE, "delayproxy.c")])
    argv = [exe, "--delay", str(delay)]
    for s in fronted:
        for a in s.addrs:
            argv.append("%s:53=%s:%d" % (a, a, BACKEND_PORT))
    return argv


def generate(rundir, scenarios, delay):
    world = World()
    world.delay = delay
    load_scenario(world, BASE_NAME)
    if "all" in scenarios:
        scenarios = [f[:-5] for f in sorted(os.listdir(SCENARIO_DIR))
                     if f.endswith(".yaml") and f[:-5] != BASE_NAME]
    seen = set()
    for s in scenarios:
        if s == BASE_NAME or s in seen:
            continue
        seen.add(s)
        load_scenario(world, s)
    link_world(world)
    if dns.name.root not in world.zones:
        raise LabError("the base world has no root zone")

    os.makedirs(rundir, exist_ok=True)
    plan = Plan()

    # DNSSEC: keys first, deepest zones first so each DS exists before its parent is built
    if world.dnssec:
        for z in sorted(world.zones.values(), key=lambda z: -len(z.origin)):
            if z.sign:
                make_keys(z, os.path.join(rundir, "keys", fname(z.origin)))
        root = world.zones[dns.name.root]
        if root.keys:
            ta = run([which("ldns-key2ds"), "-n", "-2", root.keys[1] + ".key"]).strip()
            write(os.path.join(rundir, "root.ds"), ta + "\n")

    hints = root_hints(world)
    write(os.path.join(rundir, "root.hints"), hints)
    write(os.path.join(rundir, "unbound.root.hints"), hints)

    nsd = which("nsd")
    nsd_port = BACKEND_PORT if delay else 53
    fronted = []
    misbehave_listen = []
    rendered = {}
    for s in sorted(world.servers.values(), key=lambda s: s.addrs[0]):
        if s.kind == "misbehave":
            for a in s.addrs:
                misbehave_listen.append("%s:53%s" % (a, "=" + s.mode if s.mode else ""))
            continue
        if s.kind == "none":
            continue
        sdir = os.path.join(rundir, "nsd", s.key)
        phases = {"final": []}
        has_before = any(z.before is not None and z.contents_for(s) is z.content
                         for z in s.zones)
        if has_before:
            phases["before"] = []
        for z in s.zones:
            for phase in phases:
                content = z.contents_for(s)
                if phase == "before" and z.before is not None and content is z.content:
                    content = z.before
                base = "%s.%s.zone" % (fname(z.origin), phase)
                # servers sharing one version of a zone share the rendered (signed) file
                ckey = (z.origin, id(content))
                if ckey not in rendered:
                    built = build_content(world, z, content, s.key)
                    serial = built.get_rdataset(z.origin, dns.rdatatype.SOA)[0].serial
                    write(os.path.join(sdir, base), zone_text(built))
                    src = os.path.join(sdir, base)
                    if z.sign:
                        sign_file(z, src, src + ".signed")
                        src += ".signed"
                    rendered[ckey] = (src, serial)
                src, serial = rendered[ckey]
                if z.sign:
                    base += ".signed"
                if os.path.join(sdir, base) != src:
                    os.makedirs(sdir, exist_ok=True)
                    shutil.copyfile(src, os.path.join(sdir, base))
                phases[phase].append((ntext(z.origin), base, serial))
        for phase, zones in phases.items():
            conf = os.path.join(sdir, "nsd-%s.conf" % phase)
            write(conf, nsd_conf(rundir, s, [(o, f) for o, f, _ in zones], nsd_port,
                                 phase))
        proc = {"name": "nsd:" + ntext(s.name), "argv": [nsd, "-d", "-c",
                os.path.join(sdir, "nsd-%s.conf" % ("before" if has_before else "final"))],
                "log": os.path.join(sdir, "stderr.log")}
        plan.procs.append(proc)
        zones = phases["before" if has_before else "final"]
        for a in s.addrs:
            plan.probes.append(probe_for(s, a, zones))
        if has_before:
            plan.switch.append({"proc": proc["name"], "argv": [nsd, "-d", "-c",
                                os.path.join(sdir, "nsd-final.conf")],
                                "log": proc["log"],
                                "probes": [probe_for(s, a, phases["final"])
                                           for a in s.addrs]})
        if delay:
            fronted.append(s)

    if misbehave_listen:
        ready = os.path.join(rundir, "misbehave.ready")
        argv = [sys.executable, os.path.join(HERE, "misbehave.py"), "--zone", "fault.test.",
                "--ready-file", ready]
        for l in misbehave_listen:
            argv += ["--listen", l]
        plan.procs.append({"name": "misbehave", "argv": argv,
                           "log": os.path.join(rundir, "misbehave.log")})
        plan.ready_files.append(ready)

    if delay and fronted:
        plan.procs.append({"name": "delayproxy", "argv": delay_proxy(rundir, fronted, delay),
                           "log": os.path.join(rundir, "delayproxy", "delayproxy.log")})

    unbound = which("unbound")
    for r in sorted(world.resolvers.values(), key=lambda r: r.addr):
        conf = unbound_conf(rundir, r, world)
        plan.procs.append({"name": "unbound:" + r.name, "argv": [unbound, "-d", "-c", conf],
                           "log": os.path.join(rundir, "unbound", r.name, "stderr.log")})
        plan.probes.append({"name": "unbound:" + r.name, "addr": r.addr, "port": 53,
                            "qname": "id.server.", "qtype": "TXT", "qclass": "CH"})

    for step in world.prime:
        if step["resolver"] not in world.resolvers:
            raise LabError("scenario %s: prime step uses unknown resolver %s"
                           % (step["scenario"], step["resolver"]))

    # manifest and environment for the commands run inside the lab
    misbehave_base = [s for s in world.servers.values()
                      if s.kind == "misbehave" and s.scenario == BASE_NAME and not s.mode]
    sampled = [r for r in sorted(world.resolvers.values(), key=lambda r: r.addr)
               if r.sample]
    write(os.path.join(rundir, "resolvers"), "".join(r.addr + "\n" for r in sampled))
    env = {
        "LAB_DIR": rundir,
        "LAB_ROOT_HINTS": os.path.join(rundir, "root.hints"),
        "LAB_RESOLVERS": " ".join(r.addr for r in sampled),
        "LAB_MISBEHAVE": ("%s:53" % misbehave_base[0].addrs[0]) if misbehave_base else "",
        "LAB_SCENARIOS": " ".join(world.scenarios[1:]),
        "LAB_DELAY_MS": str(delay),
    }
    validators = [r.addr for r in sampled if r.validate]
    if validators:
        env["LAB_VALIDATORS"] = " ".join(validators)
    if world.dnssec and os.path.exists(os.path.join(rundir, "root.ds")):
        env["LAB_TRUST_ANCHOR"] = os.path.join(rundir, "root.ds")
    write(os.path.join(rundir, "env"), "".join(
        "export %s=%s\n" % (k, shquote(v)) for k, v in env.items()))
    manifest = {
        "scenarios": world.scenarios,
        "delay_ms": delay,
        "env": env,
        "servers": [{"name": ntext(s.name), "addresses": s.addrs, "kind": s.kind,
                     "mode": s.mode, "scenario": s.scenario,
                     "zones": [ntext(z.origin) for z in s.zones]}
                    for s in world.servers.values()],
        "zones": [{"origin": ntext(z.origin), "scenario": z.scenario,
                   "parent": ntext(z.parent.origin) if z.parent else None,
                   "ns": [ntext(n) for n in z.content.ns],
                   "parent_ns": [ntext(n) for n in (z.parent_ns if z.parent_ns is not None
                                                    else z.content.ns)]
                   if z.delegated else [],
                   "servers": [ntext(s.name) for s in z.servers],
                   "signed": bool(z.sign)}
                  for z in world.zones.values()],
        "resolvers": [{"name": r.name, "address": r.addr, "validate": r.validate,
                       "scenario": r.scenario, "sampled": r.sample}
                      for r in world.resolvers.values()],
        "prime": [{k: v for k, v in p.items()} for p in world.prime],
    }
    write(os.path.join(rundir, "lab.json"), json.dumps(manifest, indent=1) + "\n")
    return world, plan


def probe_for(server, addr, zones):
    if zones:
        origin, _, serial = zones[0]
        return {"name": "nsd:" + ntext(server.name), "addr": addr, "port": 53,
                "qname": origin, "qtype": "SOA", "qclass": "IN", "serial": serial}
    # serves nothing: any answer (REFUSED) proves it is up
    return {"name": "nsd:" + ntext(server.name), "addr": addr, "port": 53,
            "qname": ".", "qtype": "SOA", "qclass": "IN", "any": True}


def shquote(s):
    return "'" + str(s).replace("'", "'\\''") + "'"


# --------------------------------------------------------------------------------------
# running


def spawn(rundir, proc):
    os.makedirs(os.path.dirname(proc["log"]), exist_ok=True)
    log = open(proc["log"], "ab")
    p = subprocess.Popen(proc["argv"], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True, close_fds=True)
    log.close()
    with open(os.path.join(rundir, "pids"), "a") as f:
        f.write("%d %s\n" % (p.pid, proc["name"]))
    return p


def probe_ok(probe, msg):
    if probe.get("any"):
        return True
    if msg.rcode() != dns.rcode.NOERROR:
        return False
    if "serial" in probe:
        if not (msg.flags & dns.flags.AA):
            return False
        for rrset in msg.answer:
            if rrset.rdtype == dns.rdatatype.SOA:
                return rrset[0].serial == probe["serial"]
        return False
    return True


def wait_ready(probes, ready_files, procs, timeout=READY_TIMEOUT):
    """Polls every probe over UDP until each gets the answer it expects."""
    pending = {i: p for i, p in enumerate(probes)}
    files = list(ready_files)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sent = {}
    deadline = time.monotonic() + timeout
    last_send = 0.0
    try:
        while pending or files:
            now = time.monotonic()
            if now > deadline:
                names = sorted(set("%s (%s)" % (p["name"], p["addr"])
                                   for p in pending.values()))
                names += ["ready file " + f for f in files]
                raise LabError("not ready after %.0f s: %s" % (timeout, ", ".join(names)))
            for name, p in procs:
                if p.poll() is not None:
                    raise LabError("%s exited with status %s during startup"
                                   % (name, p.returncode))
            files = [f for f in files if not os.path.exists(f)]
            if now - last_send >= 0.05:
                last_send = now
                for i, pr in pending.items():
                    q = dns.message.make_query(pr["qname"], pr["qtype"], pr["qclass"])
                    q.flags &= ~dns.flags.RD
                    sent[q.id] = i
                    try:
                        sock.sendto(q.to_wire(), (pr["addr"], pr["port"]))
                    except OSError:
                        pass
            r, _, _ = select.select([sock], [], [], 0.02)
            while r:
                try:
                    data, src = sock.recvfrom(65535)
                except OSError:
                    break   # ICMP port unreachable surfaces here: not up yet
                try:
                    msg = dns.message.from_wire(data)
                except Exception:
                    msg = None
                if msg is not None and msg.id in sent:
                    i = sent[msg.id]
                    if i in pending and pending[i]["addr"] == src[0] and probe_ok(
                            pending[i], msg):
                        del pending[i]
                r, _, _ = select.select([sock], [], [], 0)
    finally:
        sock.close()


def resolve(addr, qname, qtype, timeout=6.0):
    q = dns.message.make_query(qname, qtype)
    q.flags |= dns.flags.RD
    wire = q.to_wire()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.connect((addr, 53))
        deadline = time.monotonic() + timeout
        next_send = 0.0
        while True:
            now = time.monotonic()
            if now > deadline:
                raise LabError("no answer from resolver %s for %s %s" % (addr, qname,
                                                                         qtype))
            if now >= next_send:
                sock.send(wire)
                next_send = now + 1.5
            r, _, _ = select.select([sock], [], [], 0.1)
            if r:
                try:
                    msg = dns.message.from_wire(sock.recv(65535))
                except Exception:
                    continue
                if msg.id == q.id:
                    return msg
    finally:
        sock.close()


def do_prime(world, rundir):
    logp = os.path.join(rundir, "prime.log")
    with open(logp, "a") as log:
        for step in world.prime:
            r = world.resolvers[step["resolver"]]
            qtype = step.get("type", "A")
            t = time.monotonic()
            msg = resolve(r.addr, step["name"], qtype)
            log.write(";; %.3f s\n" % (time.monotonic() - t))
            rc = dns.rcode.to_text(msg.rcode())
            log.write(";; prime %s %s %s -> %s\n%s\n" % (r.name, step["name"], qtype, rc,
                                                        msg.to_text()))
            exp = step.get("expect")
            if exp and exp.upper() != rc:
                raise LabError("scenario %s: priming %s %s via %s gave %s, expected %s"
                               % (step["scenario"], step["name"], qtype, r.name, rc, exp))


def kill_pid(pid, wait=3.0):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return
        except ChildProcessError:
            pass
        time.sleep(0.01)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def start(rundir, scenarios, delay):
    t0 = time.monotonic()
    world, plan = generate(rundir, scenarios, delay)
    procs = []
    by_name = {}
    for proc in plan.procs:
        p = spawn(rundir, proc)
        procs.append((proc["name"], p))
        by_name[proc["name"]] = p
    marks = [("generated", time.monotonic() - t0)]
    try:
        wait_ready(plan.probes, plan.ready_files, procs)
        marks.append(("ready", time.monotonic() - t0))
        if world.prime:
            do_prime(world, rundir)
            marks.append(("primed", time.monotonic() - t0))
        if plan.switch:
            for sw in plan.switch:
                p = by_name[sw["proc"]]
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
                np = spawn(rundir, {"name": sw["proc"], "argv": sw["argv"],
                                    "log": sw["log"]})
                procs = [(n, x) for n, x in procs if x is not p] + [(sw["proc"], np)]
            wait_ready([pr for sw in plan.switch for pr in sw["probes"]], [], procs)
    except LabError:
        for name, p in procs:
            kill_pid(p.pid)
        raise
    with open(os.path.join(rundir, "started"), "w") as f:
        f.write("%.3f\n" % (time.monotonic() - t0))
    with open(os.path.join(rundir, "timings"), "w") as f:
        f.write("".join("%s %.3f\n" % m for m in marks))


def stop(rundir):
    path = os.path.join(rundir, "pids")
    if not os.path.exists(path):
        return
    with open(path) as f:
        pids = [int(l.split()[0]) for l in f if l.strip()]
    for pid in reversed(pids):
        kill_pid(pid)
    os.unlink(path)


def main(argv):
    ap = argparse.ArgumentParser(prog="labgen.py")
    ap.add_argument("cmd", choices=["start", "gen", "stop", "env", "list"])
    ap.add_argument("--dir", help="run directory")
    ap.add_argument("-s", "--scenario", action="append", default=[])
    ap.add_argument("--delay", type=int, default=0)
    a = ap.parse_args(argv)
    try:
        if a.cmd == "list":
            for f in sorted(os.listdir(SCENARIO_DIR)):
                if f.endswith(".yaml") and f[:-5] != BASE_NAME:
                    d = load_yaml(os.path.join(SCENARIO_DIR, f)).get("description", "")
                    print("%-18s %s" % (f[:-5], " ".join(str(d).split())))
            return 0
        if not a.dir:
            raise LabError("--dir is required")
        rundir = os.path.abspath(a.dir)
        if a.delay < 0:
            raise LabError("--delay must be >= 0")
        if a.cmd == "gen":
            generate(rundir, a.scenario, a.delay)
        elif a.cmd == "start":
            start(rundir, a.scenario, a.delay)
        elif a.cmd == "stop":
            stop(rundir)
        elif a.cmd == "env":
            with open(os.path.join(rundir, "env")) as f:
                sys.stdout.write(f.read())
    except LabError as e:
        die(str(e))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
