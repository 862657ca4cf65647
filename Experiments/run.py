#!/usr/bin/env python3
"""Runs one of the seeds' experiments and rewrites its section of EXPERIMENTS.md.

    python3 Experiments/run.py seed000      # OpenBox vs LIME on a ReLU RNN over IMDB sentences
    python3 Experiments/run.py seed001      # OpenBox vs LIME on CNNs (digits, MNIST)
    python3 Experiments/run.py seed004      # SA/GB/LRP/DTD on MNIST-MAJ ReLU RNNs

Needs numpy, onnx, scikit-learn and matplotlib (Experiments/requirements.txt) and ../shared/data.
Models and intermediate files go to out/experiments/NAME/; plots to docs/experiments/.
"""
import argparse
import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (sets the BLAS threads before numpy loads)

EXPERIMENTS = ["seed000", "seed001", "seed004"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=EXPERIMENTS)
    parser.add_argument("--quick", action="store_true", help="a small run to check the pipeline (results not written)")
    arguments = parser.parse_args()
    importlib.import_module(arguments.name).main(quick=arguments.quick)


if __name__ == "__main__":
    main()
