"""A raw TCP/UDP device for the socket connector tests.

Runs a list of steps against the gateway's socket server and logs every chunk it receives,
as hex, one line per chunk, to --out (flushed at once, so a test can poll the file):

  send:TEXT      send TEXT (UTF-8)
  sendhex:HEX    send raw bytes
  sleep:SECONDS  pause (so two sends arrive as two reads)
  recv           wait (up to --timeout) for one chunk
  reply:TEXT     wait for one chunk, then send TEXT (a device answering an RPC)
  reset          close the TCP connection abruptly (RST), ending the steps

After the steps it keeps listening for --linger seconds (still logging), then closes.
--bind-port fixes the device's own port (so address filters can name it).
"""
import argparse
import socket
import struct
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--proto", choices=["tcp", "udp"], default="tcp")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bind-port", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--linger", type=float, default=0.0)
    parser.add_argument("steps", nargs="*")
    args = parser.parse_args()

    kind = socket.SOCK_STREAM if args.proto == "tcp" else socket.SOCK_DGRAM
    sock = socket.socket(socket.AF_INET, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.bind_port))
    target = (args.host, args.port)
    if args.proto == "tcp":
        sock.connect(target)
    out = open(args.out, "a")
    print("device at %s:%d" % sock.getsockname(), flush=True)

    def send(data):
        if args.proto == "tcp":
            sock.sendall(data)
        else:
            sock.sendto(data, target)

    def receive(timeout):
        sock.settimeout(timeout)
        try:
            data = sock.recv(65536)
        except socket.timeout:
            return None
        if args.proto == "tcp" and not data:
            return None
        out.write(data.hex() + "\n")
        out.flush()
        return data

    for step in args.steps:
        verb, _, argument = step.partition(":")
        if verb == "send":
            send(argument.encode("utf-8"))
        elif verb == "sendhex":
            send(bytes.fromhex(argument))
        elif verb == "sleep":
            time.sleep(float(argument))
        elif verb == "recv":
            if receive(args.timeout) is None:
                print("nothing received", flush=True)
        elif verb == "reply":
            if receive(args.timeout) is None:
                print("nothing received to reply to", flush=True)
            else:
                send(argument.encode("utf-8"))
        elif verb == "reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            print("reset", flush=True)
            return
        else:
            print("unknown step " + step, file=sys.stderr, flush=True)
            sys.exit(2)
        print("done " + step, flush=True)

    deadline = time.time() + args.linger
    while time.time() < deadline:
        data = receive(max(0.01, deadline - time.time()))
        if data is None and args.proto == "tcp":
            break
    sock.close()
    print("finished", flush=True)


if __name__ == "__main__":
    main()
