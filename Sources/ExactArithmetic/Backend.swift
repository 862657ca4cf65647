import CFLINT
import CGMP

/// The C libraries behind ExactArithmetic, for reports and certificates that
/// record the exact tool chain.
public enum ExactArithmeticBackend {
  /// The version of the GMP library linked at run time, such as `"6.2.1"`.
  public static var gmpVersion: String { String(cString: cgmp_version()) }

  /// The version of the FLINT library linked at run time, such as `"2.9.0"`.
  public static var flintVersion: String { String(cString: cflint_version()) }
}

extension ExactArithmeticBackend {
  /// Returns the calling thread's cache of FLINT integers to the system.
  ///
  /// FLINT keeps the GMP integers of freed matrix entries in a per-thread cache
  /// for reuse; valgrind reports that cache as "possibly lost" at exit. Call this
  /// before exiting in leak-checking runs. It is safe at any time: live matrices
  /// are unaffected and the cache simply refills on demand.
  public static func releaseCaches() {
    flint_cleanup()
  }
}
