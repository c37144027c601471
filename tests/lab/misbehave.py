#!/usr/bin/python3
"""A deliberately broken authoritative server for dnsvet's fault tests.

The FIRST LABEL of the query name selects the fault (case-insensitive), e.g.
`drop.fault.test.`, `delay200.fault.test.`. A listener started with ADDR:PORT=MODE applies
MODE to every query instead (used by scenarios for a server that always times out, etc.).

  drop       no answer at all (UDP and TCP; the TCP connection stays open, silent)
  delayN     normal answer after N milliseconds (delay200 = 200 ms), UDP and TCP
  tc         UDP: empty answer with TC=1; TCP: normal answer
  tctcp      TC=1 over UDP and over TCP (the answer never fits anywhere)
  garbage    random bytes after the query's ID (DNS-looking header, bogus counts)
  short      a reply cut off in the middle of the header (5 bytes)
  wrongid    normal answer with a different message ID
  wrongport  normal answer sent from a different source port (UDP; TCP answers normally)
  wrongq     answer whose question section names another name (wrongq-answer.<zone>)
  refused    rcode REFUSED
  servfail   rcode SERVFAIL
  nxdomain   rcode NXDOMAIN with AA and SOA
  formerr    rcode FORMERR
  notimp     rcode NOTIMP
  noaa       normal answer with AA=0
  upward     referral to the root (". NS a.root-servers.net.", AA=0, empty answer)
  sideways   referral to an unrelated zone (example-sideways.net.)
  qr0        normal answer with the QR bit clear
  anything else: a normal authoritative answer with AA=1:
             A 192.0.2.1, AAAA 2001:db8::1, TXT "misbehave <label>",
             NS/SOA at the zone apex, NODATA (SOA in authority) for other types.
"""

import argparse
import asyncio
import os
import re
import signal
import socket
import struct
import sys

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

MODES = {"drop", "tc", "tctcp", "garbage", "short", "wrongid", "wrongport", "wrongq",
         "refused", "servfail", "nxdomain", "formerr", "notimp", "noaa", "upward",
         "sideways", "qr0", "normal"}
DELAY_RE = re.compile(r"^delay(\d{1,6})$")


class Behaviour:
    def __init__(self, zone, forced):
        self.zone = dns.name.from_text(zone)
        self.forced = forced

    def mode_for(self, qname):
        if self.forced:
            return self.forced
        if len(qname.labels) <= 1:
            return "normal"
        label = qname.labels[0].decode("ascii", "replace").lower()
        if label in MODES or DELAY_RE.match(label):
            return label
        return "normal"

    def soa_rrset(self, owner):
        rd = dns.rdata.from_text("IN", "SOA", "ns.%s hostmaster.%s 1 3600 600 86400 300"
                                 % (owner, owner))
        return dns.rrset.from_rdata(owner, 300, rd)

    def normal(self, q, aa=True):
        r = dns.message.make_response(q)
        if aa:
            r.flags |= dns.flags.AA
        if not q.question:
            r.set_rcode(dns.rcode.FORMERR)
            return r
        qrr = q.question[0]
        qname, qtype = qrr.name, qrr.rdtype
        apex = self.zone if qname.is_subdomain(self.zone) else qname
        label = qname.labels[0].decode("ascii", "replace") if qname.labels else ""

        def add(rtype, text, owner=qname):
            rd = dns.rdata.from_text("IN", rtype, text)
            r.answer.append(dns.rrset.from_rdata(owner, 300, rd))

        if qtype == dns.rdatatype.A:
            add("A", "192.0.2.1")
        elif qtype == dns.rdatatype.AAAA:
            add("AAAA", "2001:db8::1")
        elif qtype == dns.rdatatype.TXT:
            add("TXT", '"misbehave %s"' % label.replace('"', ''))
        elif qtype == dns.rdatatype.NS and qname == apex:
            add("NS", "ns.%s" % apex)
        elif qtype == dns.rdatatype.SOA and qname == apex:
            r.answer.append(self.soa_rrset(apex))
        else:
            r.authority.append(self.soa_rrset(apex))
        return r

    def answer(self, q, mode, tcp):
        """Returns (wire bytes or None, extra) where extra may be 'wrongport'."""
        if mode == "drop":
            return None
        if mode == "garbage":
            junk = os.urandom(48)
            return struct.pack("!HH", q.id, 0x8180) + b"\x00\x01\x00\x05\x00\x07\x00\x09" \
                + junk
        if mode == "short":
            return struct.pack("!HH", q.id, 0x8180) + b"\x00"
        if mode == "tctcp" or (mode == "tc" and not tcp):
            r = dns.message.make_response(q)
            r.flags |= dns.flags.TC | dns.flags.AA
            return r.to_wire()
        if mode in ("refused", "servfail", "formerr", "notimp", "nxdomain"):
            r = dns.message.make_response(q)
            r.set_rcode(dns.rcode.from_text(mode.upper()))
            if mode == "nxdomain" and q.question:
                r.flags |= dns.flags.AA
                r.authority.append(self.soa_rrset(self.zone))
            return r.to_wire()
        if mode == "upward":
            r = dns.message.make_response(q)
            r.authority.append(dns.rrset.from_text(".", 518400, "IN", "NS",
                                                   "a.root-servers.net."))
            r.additional.append(dns.rrset.from_text("a.root-servers.net.", 518400, "IN",
                                                    "A", "127.53.0.1"))
            return r.to_wire()
        if mode == "sideways":
            r = dns.message.make_response(q)
            r.authority.append(dns.rrset.from_text("example-sideways.net.", 86400, "IN",
                                                   "NS", "ns1.example-sideways.net."))
            r.additional.append(dns.rrset.from_text("ns1.example-sideways.net.", 86400,
                                                    "IN", "A", "127.53.4.250"))
            return r.to_wire()
        r = self.normal(q, aa=(mode != "noaa"))
        if mode == "wrongid":
            r.id = (q.id + 0x1234) & 0xffff
        if mode == "wrongq" and q.question:
            other = dns.name.from_text("wrongq-answer", self.zone)
            r.question = [dns.rrset.RRset(other, q.question[0].rdclass,
                                          q.question[0].rdtype)]
            for rrset in r.answer:
                rrset.name = other
        if mode == "qr0":
            r.flags &= ~dns.flags.QR
        return r.to_wire()

    def handle(self, wire, tcp):
        """Returns (mode, delay seconds, reply bytes or None)."""
        try:
            q = dns.message.from_wire(wire)
        except Exception:
            if len(wire) >= 12:
                # unparsable query: FORMERR echoing the ID, like a real server
                return "formerr", 0, struct.pack("!HHHHHH", struct.unpack("!H", wire[:2])[0],
                                                 0x8001, 0, 0, 0, 0)
            return "drop", 0, None
        mode = self.mode_for(q.question[0].name) if q.question else "normal"
        delay = 0.0
        m = DELAY_RE.match(mode)
        if m:
            delay = int(m.group(1)) / 1000.0
            mode = "normal"
        try:
            return mode, delay, self.answer(q, mode, tcp)
        except Exception:
            r = dns.message.make_response(q)
            r.set_rcode(dns.rcode.SERVFAIL)
            return mode, delay, r.to_wire()


class UDPServer(asyncio.DatagramProtocol):
    def __init__(self, beh, addr):
        self.beh = beh
        self.addr = addr
        self.transport = None
        self.other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.other.bind((addr, 0))
        self.other.setblocking(False)

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, src):
        mode, delay, reply = self.beh.handle(data, False)
        if reply is None:
            return
        if delay:
            asyncio.get_running_loop().call_later(delay, self.send, mode, reply, src)
        else:
            self.send(mode, reply, src)

    def send(self, mode, reply, src):
        try:
            if mode == "wrongport":
                self.other.sendto(reply, src)
            else:
                self.transport.sendto(reply, src)
        except OSError:
            pass


async def tcp_client(beh, reader, writer):
    try:
        while True:
            hdr = await reader.readexactly(2)
            (n,) = struct.unpack("!H", hdr)
            data = await reader.readexactly(n)
            mode, delay, reply = beh.handle(data, True)
            if reply is None:
                await asyncio.sleep(30)
                break
            if delay:
                await asyncio.sleep(delay)
            writer.write(struct.pack("!H", len(reply)) + reply)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def serve(args):
    loop = asyncio.get_running_loop()
    for spec in args.listen:
        forced = None
        if "=" in spec:
            spec, forced = spec.split("=", 1)
            if forced not in MODES and not DELAY_RE.match(forced):
                raise SystemExit("misbehave: unknown mode %s" % forced)
        host, port = spec.rsplit(":", 1)
        beh = Behaviour(args.zone, forced)
        await loop.create_datagram_endpoint(lambda b=beh, h=host: UDPServer(b, h),
                                            local_addr=(host, int(port)))
        await asyncio.start_server(lambda r, w, b=beh: tcp_client(b, r, w), host,
                                   int(port), reuse_address=True)
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write("%d\n" % os.getpid())
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", action="append", required=True,
                    help="ADDR:PORT or ADDR:PORT=MODE (repeatable)")
    ap.add_argument("--zone", default="fault.test.", help="zone apex for normal answers")
    ap.add_argument("--ready-file", help="written once every socket is bound")
    args = ap.parse_args()
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
