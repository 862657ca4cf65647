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
