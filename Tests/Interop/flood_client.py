#!/usr/bin/env python3
"""Floods a swhub hub with SUBMITs from one raw DEALER (pyzmq, CURVE), faster than the hub
journals them, and samples the hub's resident memory (VmRSS in /proc/PID/status) after
every 100 frame sets sent, so the samples follow the flood's progress, not a clock.

Never waits on the hub: sends without blocking while the socket takes them, reads every
reply that has arrived (ACCEPTED or ERROR) between sends, and stops after --count
submissions or --seconds, whichever comes first. Then it closes the socket without linger
(the frame sets still queued are dropped, the hub keeps what it already read) and prints
one JSON line: sent, accepted, refused (by code), samples, max_rss_kb, first_rss_kb.

The SUBMIT frame is encoded by hand (Command{version=1, submit{header{id, type}}}), so no
protobuf module is needed; replies are told apart by their kind's tag (ACCEPTED = field 13,
ERROR = field 14) and an ERROR's code is read from its first field.
"""

import argparse
import json
import sys
import time

import zmq


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def submit_frame(message_id, message_type):
    header = field(1, message_id.encode()) + field(2, message_type.encode())
    return b"\x08\x01" + field(12, field(1, header))


def read_varint(data, index):
    value, shift = 0, 0
    while index < len(data):
        byte = data[index]
        index += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, index
        shift += 7
    return None, index


def classify(frame):
    """('accepted', None), ('error', code) or ('other', None) for a reply's first frame."""
    index = 0
    while index < len(frame):
        key, index = read_varint(frame, index)
        if key is None:
            break
        if key & 7 == 0:
            _, index = read_varint(frame, index)
            continue
        if key & 7 != 2:
            break
        length, index = read_varint(frame, index)
        payload = frame[index:index + length]
        index += length
        if key >> 3 == 13:
            return "accepted", None
        if key >> 3 == 14:
            code = None
            if payload[:1] == b"\x08":
                code, _ = read_varint(payload, 1)
            return "error", code
    return "other", None


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--hub-public-key", required=True)
    parser.add_argument("--public", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--hub-pid", type=int, required=True)
    parser.add_argument("--type", default="demo.Note")
    parser.add_argument("--count", type=int, default=30000)
    parser.add_argument("--body-bytes", type=int, default=16384)
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args()

    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.SNDHWM, 1000)
    sock.setsockopt(zmq.CURVE_SERVERKEY, args.hub_public_key.encode("ascii"))
    sock.setsockopt(zmq.CURVE_PUBLICKEY, args.public.encode("ascii"))
    sock.setsockopt(zmq.CURVE_SECRETKEY, args.secret.encode("ascii"))
    sock.connect(args.endpoint)
    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN | zmq.POLLOUT)

    body = b"f" * args.body_bytes
    run = int(time.time())
    sent = accepted = 0
    refused = {}
    samples = []
    first = rss_kb(args.hub_pid)
    deadline = time.monotonic() + args.seconds
    while sent < args.count and time.monotonic() < deadline:
        events = dict(poller.poll(200))
        mask = events.get(sock, 0)
        if mask & zmq.POLLIN:
            while True:
                try:
                    frames = sock.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                kind, code = classify(frames[0])
                if kind == "accepted":
                    accepted += 1
                elif kind == "error":
                    refused[str(code)] = refused.get(str(code), 0) + 1
        if mask & zmq.POLLOUT:
            for _ in range(100):
                if sent >= args.count:
                    break
                try:
                    sock.send_multipart([submit_frame(f"flood-{run}-{sent}", args.type), body], zmq.NOBLOCK)
                except zmq.Again:
                    break
                sent += 1
                if sent % 100 == 0:
                    samples.append(rss_kb(args.hub_pid))
    samples.append(rss_kb(args.hub_pid))
    sock.close(0)
    ctx.term()
    print(json.dumps({
        "sent": sent, "accepted": accepted, "refused": refused, "samples": len(samples),
        "max_rss_kb": max(samples), "first_rss_kb": first,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
