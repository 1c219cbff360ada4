#!/usr/bin/python3
"""Interoperability client: talks to a running hub using only Schemas/hub.proto and
Schemas/PROTOCOL.md, with pyzmq and the Python protobuf runtime (Debian: python3-zmq,
python3-protobuf, protobuf-compiler).

Usage:
  interop_client.py --endpoint tcp://127.0.0.1:PORT --hub-public-key Z85 \
      --sender-public Z85 --sender-secret Z85 \
      --receiver-public Z85 --receiver-secret Z85 --receiver-party NAME \
      --type TYPE [--timeout 10]

Checks, in order:
  1. SUBMIT (id "py-<uuid>", TYPE, recipients [receiver-party], body) -> ACCEPTED, seq > 0
  2. the same SUBMIT again -> ACCEPTED, same seq, duplicate = true
  3. SUBMIT with header.sender = "someone-else" -> ERROR 403 SENDER_MISMATCH
  4. a garbage frame -> ERROR 400 MALFORMED_FRAME
  5. receiver: HELLO(receive, credit 10) -> WELCOME(party = receiver-party); DELIVERs until
     the submitted id arrives (sender set, body intact, seq as accepted); ACK(seq)
  6. PING -> PONG with acked_seq >= seq

Progress goes to stderr. On success prints one JSON line to stdout
{"ok": true, "seq": N, "delivered_seq": M} and exits 0; on any failure prints the reason
to stderr and exits 1. Every wait is bounded by --timeout (seconds).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

PROTOCOL_VERSION = 1
BODY = b"hello from python"
GARBAGE = b"\x0f\xffgarbage, not a command"  # field 1 with wire type 7: undecodable


class Failure(Exception):
    pass


def log(*parts):
    print("interop:", *parts, file=sys.stderr, flush=True)


def fail(reason):
    raise Failure(reason)


def load_schema(tmpdir):
    """Generate hub_pb2 from <repo>/Schemas/hub.proto with protoc and import it."""
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    schemas = os.path.join(repo, "Schemas")
    if not os.path.isfile(os.path.join(schemas, "hub.proto")):
        fail(f"no hub.proto in {schemas}")
    protoc = shutil.which("protoc")
    if protoc is None:
        fail("protoc not found (apt: protobuf-compiler)")
    result = subprocess.run(
        [protoc, f"--python_out={tmpdir}", "-I", schemas, "hub.proto"],
        cwd=schemas, capture_output=True, text=True,
    )
    if result.returncode != 0:
        fail(f"protoc failed ({result.returncode}): {result.stderr.strip()}")
    sys.path.insert(0, tmpdir)
    try:
        import hub_pb2  # noqa: E402  (generated just now)
    except Exception as exc:  # e.g. runtime/protoc version mismatch
        fail(f"cannot import generated hub_pb2: {exc}")
    return hub_pb2


class Conn:
    """One DEALER connection to the hub with CURVE, and bounded waits."""

    def __init__(self, ctx, pb, args, name, public, secret):
        import zmq

        self.zmq = zmq
        self.pb = pb
        self.name = name
        self.timeout_ms = int(args.timeout * 1000)
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.CURVE_SERVERKEY, args.hub_public_key.encode("ascii"))
        self.sock.setsockopt(zmq.CURVE_PUBLICKEY, public.encode("ascii"))
        self.sock.setsockopt(zmq.CURVE_SECRETKEY, secret.encode("ascii"))
        self.sock.connect(args.endpoint)
        self.poller = zmq.Poller()
        self.poller.register(self.sock, zmq.POLLIN)

    def send(self, body=None, **kind):
        cmd = self.pb.Command(version=PROTOCOL_VERSION, **kind)
        frames = [cmd.SerializeToString()]
        if body is not None:
            frames.append(body)
        self.send_raw(frames)

    def send_raw(self, frames):
        poller = self.zmq.Poller()
        poller.register(self.sock, self.zmq.POLLOUT)
        if not dict(poller.poll(self.timeout_ms)):
            fail(f"{self.name}: cannot send within the timeout")
        self.sock.send_multipart(frames, flags=self.zmq.NOBLOCK)

    def recv(self, what, timeout_ms=None):
        """The next frame set as (Command, [extra frames]); fails on timeout."""
        wait = self.timeout_ms if timeout_ms is None else timeout_ms
        if not dict(self.poller.poll(wait)):
            if timeout_ms is not None:
                return None
            fail(f"{self.name}: no {what} within {self.timeout_ms} ms "
                 "(hub down, or CURVE key refused at the handshake?)")
        frames = self.sock.recv_multipart(flags=self.zmq.NOBLOCK)
        cmd = self.pb.Command()
        try:
            cmd.ParseFromString(frames[0])
        except Exception as exc:
            fail(f"{self.name}: hub sent an undecodable frame while waiting for {what}: {exc}")
        if cmd.version != PROTOCOL_VERSION:
            fail(f"{self.name}: hub sent version {cmd.version}, expected {PROTOCOL_VERSION}")
        kind = cmd.WhichOneof("kind")
        expected = 2 if kind == "deliver" else 1
        if len(frames) != expected:
            fail(f"{self.name}: {kind} came with {len(frames)} frames, expected {expected}")
        return cmd, frames[1:]

    def expect(self, kind, what):
        cmd, rest = self.recv(what)
        got = cmd.WhichOneof("kind")
        if got != kind:
            fail(f"{self.name}: expected {kind.upper()} ({what}), got {describe(cmd)}")
        return cmd, rest

    def close(self):
        self.sock.close(linger=0)


def describe(cmd):
    kind = cmd.WhichOneof("kind")
    if kind == "error":
        e = cmd.error
        return f"ERROR {e.code} {e.name}: {e.reason} (id {e.id!r})"
    return (kind or "no command").upper()


def submit(conn, pb, header):
    conn.send(submit=pb.Submit(header=header), body=BODY)


def run(args, pb):
    import zmq

    ctx = zmq.Context()
    sender = receiver = None
    try:
        sender = Conn(ctx, pb, args, "sender", args.sender_public, args.sender_secret)
        msg_id = f"py-{uuid.uuid4()}"
        header = pb.Header(id=msg_id, type=args.type, recipients=[args.receiver_party],
                           created_at_us=int(time.time() * 1_000_000))

        # 1. SUBMIT -> ACCEPTED
        submit(sender, pb, header)
        cmd, _ = sender.expect("accepted", "ACCEPTED for the first SUBMIT")
        acc = cmd.accepted
        if acc.id != msg_id:
            fail(f"ACCEPTED id {acc.id!r}, expected {msg_id!r}")
        if acc.seq <= 0:
            fail(f"ACCEPTED seq {acc.seq}, expected > 0")
        if acc.duplicate:
            fail("first SUBMIT came back with duplicate = true")
        seq = acc.seq
        log(f"accepted id={msg_id} seq={seq} recipients={acc.recipients}")

        # 2. the same id again -> same seq, duplicate
        submit(sender, pb, header)
        cmd, _ = sender.expect("accepted", "ACCEPTED for the repeated SUBMIT")
        dup = cmd.accepted
        if dup.id != msg_id or dup.seq != seq or not dup.duplicate:
            fail(f"repeated SUBMIT: got id={dup.id!r} seq={dup.seq} duplicate={dup.duplicate}, "
                 f"expected id={msg_id!r} seq={seq} duplicate=True")
        log(f"duplicate accepted seq={dup.seq} duplicate={dup.duplicate}")

        # 3. a foreign sender -> 403
        forged_id = f"py-{uuid.uuid4()}"
        forged = pb.Header(id=forged_id, type=args.type, sender="someone-else",
                           recipients=[args.receiver_party])
        submit(sender, pb, forged)
        cmd, _ = sender.expect("error", "ERROR for a SUBMIT with a foreign sender")
        err = cmd.error
        if err.code != 403 or err.name != "SENDER_MISMATCH":
            fail(f"foreign sender: got {describe(cmd)}, expected 403 SENDER_MISMATCH")
        if err.id != forged_id:
            fail(f"foreign sender: ERROR id {err.id!r}, expected {forged_id!r}")
        log(f"foreign sender refused: {err.code} {err.name}")

        # 4. garbage -> 400
        sender.send_raw([GARBAGE])
        cmd, _ = sender.expect("error", "ERROR for a garbage frame")
        if cmd.error.code != 400 or cmd.error.name != "MALFORMED_FRAME":
            fail(f"garbage frame: got {describe(cmd)}, expected 400 MALFORMED_FRAME")
        log(f"garbage refused: {cmd.error.code} {cmd.error.name}")

        # 5. receive
        receiver = Conn(ctx, pb, args, "receiver", args.receiver_public, args.receiver_secret)
        receiver.send(hello=pb.Hello(client="interop_client.py", credit=10, receive=True))
        cmd, _ = receiver.expect("welcome", "WELCOME")
        welcome = cmd.welcome
        if welcome.party != args.receiver_party:
            fail(f"WELCOME party {welcome.party!r}, expected {args.receiver_party!r}")
        if welcome.credit == 0 or welcome.credit > 10:
            fail(f"WELCOME credit {welcome.credit}, expected 1..10")
        log(f"welcome party={welcome.party} acked_seq={welcome.acked_seq} "
            f"credit={welcome.credit} heartbeat_ms={welcome.heartbeat_ms}")

        heartbeat_s = (welcome.heartbeat_ms or 2000) / 1000.0
        deadline = time.monotonic() + args.timeout
        last_ping = time.monotonic()
        nonce = 1
        last_seq = 0
        delivered_seq = None
        while delivered_seq is None:
            now = time.monotonic()
            if now >= deadline:
                fail(f"receiver: message {msg_id} not delivered within {args.timeout} s "
                     f"(last seq seen {last_seq})")
            if now - last_ping >= heartbeat_s:
                receiver.send(ping=pb.Ping(nonce=nonce))  # keep the session alive
                nonce += 1
                last_ping = now
            wait_ms = int(max(1, min(deadline, last_ping + heartbeat_s) - now) * 1000)
            got = receiver.recv("DELIVER", timeout_ms=max(1, wait_ms))
            if got is None:
                continue
            cmd, rest = got
            kind = cmd.WhichOneof("kind")
            if kind == "pong":
                continue
            if kind != "deliver":
                fail(f"receiver: expected DELIVER, got {describe(cmd)}")
            h = cmd.deliver.header
            if h.seq <= 0:
                fail(f"receiver: DELIVER with seq {h.seq}")
            if h.seq < last_seq:
                fail(f"receiver: DELIVER seq {h.seq} after {last_seq} (not in journal order)")
            last_seq = h.seq
            if h.id != msg_id:
                # Somebody else's (or an earlier run's) message: acknowledge it so the
                # credit never runs out before ours arrives.
                receiver.send(ack=pb.Ack(seq=h.seq))
                continue
            if not h.sender:
                fail("receiver: delivered header has no sender")
            if h.type != args.type:
                fail(f"receiver: delivered type {h.type!r}, expected {args.type!r}")
            if h.seq != seq:
                fail(f"receiver: delivered seq {h.seq}, ACCEPTED said {seq}")
            if h.journaled_at_us <= 0:
                fail("receiver: delivered header has no journaled_at_us")
            if rest[0] != BODY:
                fail(f"receiver: body {rest[0]!r}, expected {BODY!r}")
            delivered_seq = h.seq
            log(f"delivered id={h.id} seq={h.seq} sender={h.sender} "
                f"journaled_at_us={h.journaled_at_us}")

        receiver.send(ack=pb.Ack(seq=delivered_seq))

        # 6. PING -> PONG with the acknowledgement included
        final_nonce = 1_000_000 + nonce
        receiver.send(ping=pb.Ping(nonce=final_nonce))
        deadline = time.monotonic() + args.timeout
        while True:
            if time.monotonic() >= deadline:
                fail(f"receiver: no PONG for nonce {final_nonce} within {args.timeout} s")
            cmd, _ = receiver.recv("PONG")
            kind = cmd.WhichOneof("kind")
            if kind == "deliver":
                continue  # a later message; not part of this check
            if kind != "pong":
                fail(f"receiver: expected PONG, got {describe(cmd)}")
            if cmd.pong.nonce == final_nonce:
                break
        if cmd.pong.acked_seq < delivered_seq:
            fail(f"PONG acked_seq {cmd.pong.acked_seq} < acknowledged seq {delivered_seq}")
        log(f"pong acked_seq={cmd.pong.acked_seq}")
        return seq, delivered_seq
    finally:
        for conn in (sender, receiver):
            if conn is not None:
                conn.close()
        ctx.term()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--hub-public-key", required=True)
    parser.add_argument("--sender-public", required=True)
    parser.add_argument("--sender-secret", required=True)
    parser.add_argument("--receiver-public", required=True)
    parser.add_argument("--receiver-secret", required=True)
    parser.add_argument("--receiver-party", required=True)
    parser.add_argument("--type", required=True)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    if args.timeout <= 0:
        parser.error("--timeout must be positive")

    tmpdir = tempfile.mkdtemp(prefix="swhub-interop-")
    try:
        try:
            import zmq
        except ImportError as exc:
            fail(f"pyzmq missing (apt: python3-zmq): {exc}")
        if not zmq.has("curve"):
            fail("this libzmq has no CURVE support")
        for name, value in [("--hub-public-key", args.hub_public_key),
                            ("--sender-public", args.sender_public),
                            ("--sender-secret", args.sender_secret),
                            ("--receiver-public", args.receiver_public),
                            ("--receiver-secret", args.receiver_secret)]:
            if len(value) != 40:
                fail(f"{name} must be a 40-character Z85 key, got {len(value)} characters")
        pb = load_schema(tmpdir)
        seq, delivered_seq = run(args, pb)
    except Failure as exc:
        print(f"interop_client: FAILED: {exc}", file=sys.stderr, flush=True)
        return 1
    except Exception as exc:  # anything unexpected is a failure too, never a hang
        print(f"interop_client: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    print(json.dumps({"ok": True, "seq": seq, "delivered_seq": delivered_seq}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
