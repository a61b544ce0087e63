"""Serve the demo portals until Ctrl-C or SIGTERM.

    python -m govlaw.demo --host 127.0.0.1 --base-port 8700 --sources-out demo-sources.yaml
"""

import argparse
import signal
import time

from .server import DemoPortals


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govlaw.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--base-port", type=int, default=8700,
                        help="first port; portal i gets base-port + i (0: ephemeral ports)")
    parser.add_argument("--sources-out", help="write the portals as a sources YAML file")
    parser.add_argument("--state", type=int, default=1, help="document set to serve")
    parser.add_argument("--documents-dir", help="documents folder (default: the packaged one)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    def interrupt(*_):
        raise KeyboardInterrupt
    # Also SIGINT: a shell starting us in the background may have set it to "ignore".
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    demo = DemoPortals(host=args.host, base_port=args.base_port, state=args.state,
                       documents_dir=args.documents_dir, verbose=args.verbose)
    with demo:
        for portal in demo.portals:
            print(f"{portal['id']:<10} {portal['name']}  {portal['start_urls'][0]}", flush=True)
        if args.sources_out:
            demo.write_sources(args.sources_out)
            print(f"sources written to {args.sources_out}", flush=True)
        try:
            while True:
                time.sleep(3600)  # a signal handler interrupts the sleep at once
        except KeyboardInterrupt:
            print("stopping", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
