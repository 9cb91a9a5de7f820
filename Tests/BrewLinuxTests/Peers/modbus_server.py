#!/usr/bin/env python3
"""A real Modbus server for brewctl's bus tests: pymodbus (an implementation independent of
libmodbus) serving TCP on loopback or RTU on a serial device (one end of a socat pty pair).

Unit 1 is a temperature transmitter and flow meter as the hardware file would describe them;
unit 7 is a variable-speed pump. Register contents are fixed so tests can assert on them.

    modbus_server.py --tcp PORT
    modbus_server.py --rtu /dev/pts/N --baud 19200 --parity E --stopbits 1

Prints "ready" once it listens on the port (or has the serial device open), so a test waits for
that line instead of sleeping.
"""
import argparse
import asyncio
import logging
import struct
import sys

from pymodbus.datastore import ModbusDeviceContext, ModbusSequentialDataBlock, ModbusServerContext
from pymodbus.server import ModbusSerialServer, ModbusTcpServer


def words_abcd(value: float) -> list[int]:
    hi, lo = struct.unpack(">HH", struct.pack(">f", value))
    return [hi, lo]


def words_cdab(value: float) -> list[int]:
    hi, lo = words_abcd(value)
    return [lo, hi]


def unit_one() -> ModbusDeviceContext:
    holding = [0] * 64
    holding[0] = 665          # temperature ×10: 66.5 °C
    holding[1] = 0xFF9C       # int16 −100: −10.0 °C ×10
    holding[2:4] = words_abcd(66.5)
    holding[4:6] = words_cdab(-3.25)
    holding[6:8] = [0x0001, 0x86A0]  # uint32 100000 big-endian words
    holding[10] = 0x1234
    inputs = [0] * 64
    inputs[0] = 1250          # flow 12.50 L/min ×100
    inputs[1:3] = words_abcd(12.5)
    coils = [False] * 16
    coils[3] = True
    # pymodbus addresses data blocks from 1 (protocol address 0 is block address 1).
    return ModbusDeviceContext(
        hr=ModbusSequentialDataBlock(1, holding),
        ir=ModbusSequentialDataBlock(1, inputs),
        co=ModbusSequentialDataBlock(1, coils),
        di=ModbusSequentialDataBlock(1, [False] * 16),
    )


def unit_pump() -> ModbusDeviceContext:
    return ModbusDeviceContext(
        hr=ModbusSequentialDataBlock(1, [0] * 16),
        ir=ModbusSequentialDataBlock(1, [0] * 16),
        co=ModbusSequentialDataBlock(1, [False] * 8),
        di=ModbusSequentialDataBlock(1, [False] * 8),
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tcp", type=int)
    parser.add_argument("--rtu")
    parser.add_argument("--baud", type=int, default=19200)
    parser.add_argument("--parity", default="E")
    parser.add_argument("--stopbits", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.tcp is None and not args.rtu:
        parser.error("--tcp PORT or --rtu DEVICE")
    asyncio.run(serve(args))
    return 0


async def serve(args) -> None:
    context = ModbusServerContext(devices={1: unit_one(), 7: unit_pump()}, single=False)
    if args.tcp is not None:
        server = ModbusTcpServer(context=context, address=("127.0.0.1", args.tcp))
    else:
        server = ModbusSerialServer(context=context, framer="rtu", port=args.rtu, baudrate=args.baud,
                                    parity=args.parity, stopbits=args.stopbits, bytesize=8, timeout=0.05)
    # Listening (or the serial device open) first, then "ready", then serve until killed.
    await server.serve_forever(background=True)
    print("ready", flush=True)
    await server.serving


if __name__ == "__main__":
    sys.exit(main())
