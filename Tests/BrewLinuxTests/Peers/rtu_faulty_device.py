#!/usr/bin/env python3
"""A misbehaving Modbus RTU device for brewctl's fault tests, on one end of a socat pty pair.

    rtu_faulty_device.py DEVICE badcrc   answer every read with a correct frame but a wrong CRC
    rtu_faulty_device.py DEVICE stall    read requests and never answer (a device that hung,
                                         or a link that dropped mid-read)
"""
import os
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


def main() -> int:
    device, mode = sys.argv[1], sys.argv[2]
    fd = os.open(device, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    termios.tcflush(fd, termios.TCIOFLUSH)
    print("ready", flush=True)
    while True:
        request = os.read(fd, 256)
        if not request:
            time.sleep(0.01)
            continue
        if mode == "stall" or len(request) < 8:
            continue
        unit, function, count = request[0], request[1], int.from_bytes(request[4:6], "big")
        body = bytes([unit, function, 2 * count]) + bytes(2 * count)
        crc = crc16(body) ^ 0x5A5A   # wrong on purpose
        os.write(fd, body + crc.to_bytes(2, "little"))


if __name__ == "__main__":
    sys.exit(main())
