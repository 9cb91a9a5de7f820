#!/usr/bin/env python3
"""A misbehaving Modbus device for brewctl's fault tests: on one end of a socat pty pair (RTU) or
listening on loopback (TCP). It answers every read the way MODE says:

    faulty_device.py --rtu DEVICE MODE
    faulty_device.py --tcp PORT MODE

    badcrc          (RTU) a correct frame with a wrong CRC
    stall           read requests and never answer (a device that hung, a gateway whose unit is gone)
    truncate-stall  two thirds of a correct answer, and never the rest: the link stays up
    truncate-drop   (TCP) two thirds of a correct answer, then the connection is closed; on a
                    serial line the test pulls the adapter instead (kills socat) after
                    truncate-stall's part answer, as closing the device end leaves the pty up

Prints "ready" once it listens (or has the device open), and "sent N of M bytes" after each
answer it cut short, so a test knows the part frame really went out.
"""
import os
import socket
import sys
import termios
import time
import tty


def crc16(frame: bytes) -> int:
    crc = 0xFFFF
    for byte in frame:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def pdu(request_pdu: bytes) -> bytes:
    """A correct answer to a read (function, byte count, zero registers or bits)."""
    function, count = request_pdu[0], int.from_bytes(request_pdu[3:5], "big")
    size = 2 * count if function in (3, 4) else (count + 7) // 8
    return bytes([function, size]) + bytes(size)


def cut(frame: bytes) -> bytes:
    # Two thirds: past the header and the byte count, so the client knows how much is missing.
    return frame[: len(frame) * 2 // 3]


def answer(mode: str, frame: bytes, write) -> bool:
    """Writes what MODE sends for a correct `frame`; False when the link should drop now."""
    if mode == "stall":
        return True
    if mode == "badcrc":
        write(frame[:-2] + (int.from_bytes(frame[-2:], "little") ^ 0x5A5A).to_bytes(2, "little"))
        return True
    part = cut(frame)
    write(part)
    print(f"sent {len(part)} of {len(frame)} bytes", flush=True)
    if mode == "truncate-drop":
        time.sleep(0.2)   # the line goes a moment later, while the client waits for the rest
        return False
    return True


def serve_rtu(device: str, mode: str) -> None:
    fd = os.open(device, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    termios.tcflush(fd, termios.TCIOFLUSH)
    print("ready", flush=True)
    while True:
        request = os.read(fd, 256)
        if not request:
            time.sleep(0.01)
            continue
        if len(request) < 8:
            continue
        body = bytes([request[0]]) + pdu(request[1:6])
        answer(mode, body + crc16(body).to_bytes(2, "little"), lambda b: os.write(fd, b))


def serve_tcp(port: int, mode: str) -> None:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(8)
    print("ready", flush=True)
    held = []
    while True:
        connection, _ = server.accept()
        held.append(connection)   # one request per connection; never closed unless the mode drops it
        request = connection.recv(260)
        if len(request) < 12:
            continue
        body = pdu(request[7:12])
        header = request[0:4] + (len(body) + 1).to_bytes(2, "big") + request[6:7]
        if not answer(mode, header + body, connection.sendall):
            connection.close()


def main() -> int:
    if len(sys.argv) != 4 or sys.argv[1] not in ("--rtu", "--tcp"):
        print(__doc__, file=sys.stderr)
        return 2
    link, where, mode = sys.argv[1:]
    only = {"badcrc": "--rtu", "truncate-drop": "--tcp"}
    if mode not in ("badcrc", "stall", "truncate-stall", "truncate-drop") or only.get(mode, link) != link:
        print(f"unknown mode {mode} for {link}", file=sys.stderr)
        return 2
    if link == "--rtu":
        serve_rtu(where, mode)
    else:
        serve_tcp(int(where), mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())
