"""Regenerates the .npy fixtures used by DataIOTests (run from this directory).

Requires NumPy; the expected values are hard-coded in NPYNumPyFixtureTests.swift.
"""
import numpy as np

np.save("float32_2x3.npy", np.array([[1.5, -2.25, 3.0], [0.1, 1e-3, 65504.0]], dtype="<f4"))
np.save("float64_scalar.npy", np.array(3.141592653589793, dtype="<f8"))
np.save("int64_4.npy", np.array([1, -2, 9007199254740993, -9223372036854775808], dtype="<i8"))
with open("float64_v2.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([[0.5, -1.0], [2.0, 1e300]], dtype="<f8"), version=(2, 0))
with open("float32_v3.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([7.0, -0.0], dtype="<f4"), version=(3, 0))
np.save("int32_3.npy", np.array([2147483647, -2147483648, 5], dtype="<i4"))
np.save("uint8_2x2.npy", np.array([[0, 1], [128, 255]], dtype="|u1"))
np.save("float32_0x3.npy", np.zeros((0, 3), dtype="<f4"))
np.save("float64_fortran_2x3.npy", np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)))
np.save("float32_bigendian.npy", np.array([1.0, 2.0], dtype=">f4"))
