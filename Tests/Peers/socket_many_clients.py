"""Many TCP devices at once: --clients connections are opened together; each sends
"c<i>:<n>;" --messages times (pausing between; a loaded machine may still deliver two in one read, hence the ";") while all stay open,
then all close. Prints "all sent" when done."""
import argparse
import socket
import threading
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--messages", type=int, default=3)
    args = parser.parse_args()

    sockets = [socket.create_connection(("127.0.0.1", args.port)) for _ in range(args.clients)]
    barrier = threading.Barrier(args.clients)

    def run(index, sock):
        barrier.wait()
        for n in range(args.messages):
            sock.sendall(("c%d:%d;" % (index, n)).encode())
            time.sleep(0.05)

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(sockets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(0.2)
    for sock in sockets:
        sock.close()
    print("all sent", flush=True)


if __name__ == "__main__":
    main()
