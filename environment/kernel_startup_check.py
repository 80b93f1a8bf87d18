#!/usr/bin/python3
"""Starts a Jupyter kernel N times and counts the starts that never answer kernel_info (hung start-ups).

    /usr/bin/python3 environment/kernel_startup_check.py [--kernel tunelab-java] [--starts 40] [--timeout 20]
"""
import argparse
import statistics
import subprocess
import sys
import time

from jupyter_client.manager import KernelManager


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernel", default="tunelab-java")
    p.add_argument("--starts", type=int, default=40)
    p.add_argument("--timeout", type=int, default=20, help="seconds to wait for kernel_info")
    args = p.parse_args()
    hung, ready = 0, []
    started = time.time()
    for _ in range(args.starts):
        km = KernelManager(kernel_name=args.kernel)
        km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kc = km.client()
        kc.start_channels()
        t = time.time()
        try:
            kc.wait_for_ready(timeout=args.timeout)
            ready.append(time.time() - t)
        except RuntimeError:
            hung += 1
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    median = f"{statistics.median(ready):.1f}s" if ready else "n/a"
    print(f"{args.kernel}: {hung} of {args.starts} starts hung (no kernel_info reply in {args.timeout}s); "
          f"median time to ready {median}; {time.time() - started:.0f}s in all")
    return 1 if hung else 0


if __name__ == "__main__":
    sys.exit(main())
