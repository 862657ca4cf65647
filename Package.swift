// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "ExplainCert",
  products: [
    .executable(name: "explaincert", targets: ["explaincert"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    // System libraries (see each folder's README for why it exists).
    .systemLibrary(name: "CGMP", providers: [.apt(["libgmp-dev"])]),
    .systemLibrary(name: "CFLINT", providers: [.apt(["libflint-dev"])]),
    .systemLibrary(name: "CBLAS", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CMalloc"),
    // The float core's dense kernels, each output in one fixed order of operations (see its README).
    .target(name: "CFixedOrderKernels", exclude: ["README.md", "kernels.inc"]),

    // Exact numbers: GMP integers, rationals, dyadics; FLINT integer matrices.
    .target(name: "ExactArithmetic", dependencies: ["CGMP", "CFLINT"]),
    // NumPy .npy, CSV and JSON arrays.
    .target(name: "DataIO", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
    // ONNX's protobuf schema, generated once from onnx.proto (see the folder's README).
    .target(
      name: "ONNXProtobuf",
      dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
      exclude: ["README.md"]),
    // The layer graph, ONNX import, and each operator's semantics, generic over the number type
    // (with the dense float backend over BLAS).
    .target(name: "Model", dependencies: ["ONNXProtobuf", "CFixedOrderKernels", "DataIO"]),
    // The float inference core: batched forward pass, activation patterns, Jacobians.
    .target(name: "Inference", dependencies: ["Model", "DataIO"]),

    // OpenBox regions (A, c, G·x ≤ h) in float and exactly; the exact tensor backend; radii.
    .target(name: "Regions", dependencies: ["Model", "Inference", "ExactArithmetic", "CFLINT", "CGMP", "CBLAS"]),

    // Certificates of explanations: certify and verify.
    .target(
      name: "Certification",
      dependencies: ["Regions", "Inference", "Model", "ExactArithmetic", "DataIO"]),

    // Baseline explainers (LIME, KernelSHAP, gradients, LRP, occlusion) and OpenBox, one
    // Explanation type for all, and the metrics that compare them.
    .target(name: "Explainers", dependencies: ["Model", "Inference", "Regions", "ExactArithmetic", "DataIO"]),

    // Nearby-input generators, properties of explanations, suites, shrinking, counterexamples.
    .target(
      name: "PropertyTesting",
      dependencies: ["Model", "Inference", "Regions", "Certification", "Explainers", "ExactArithmetic", "DataIO",
                     .product(name: "Yams", package: "Yams")]),

    // Audit reports: self-contained HTML (inline CSS and SVG) and its JSON twin.
    .target(
      name: "Reports",
      dependencies: ["Model", "Inference", "Regions", "Certification", "Explainers", "PropertyTesting", "ExactArithmetic", "DataIO"]),

    .executableTarget(
      name: "explaincert",
      dependencies: [
        "Model", "Inference", "DataIO", "Regions", "Certification", "ExactArithmetic", "Explainers", "PropertyTesting", "Reports", "CMalloc",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    .testTarget(
      name: "ExactArithmeticTests",
      dependencies: [
        "ExactArithmetic",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]),
    .testTarget(name: "ModelTests", dependencies: ["Model", "Inference", "DataIO", "ONNXProtobuf"]),
    .testTarget(name: "ExplainCertTests", dependencies: ["explaincert", "ONNXProtobuf", "DataIO"]),
    .testTarget(name: "RegionsTests", dependencies: ["Regions", "Model", "Inference", "ExactArithmetic", "DataIO"]),
    .testTarget(
      name: "CertificationTests",
      dependencies: ["Certification", "Regions", "Inference", "Model", "ExactArithmetic", "DataIO", "ONNXProtobuf"]),
    .testTarget(name: "ExplainersTests", dependencies: ["Explainers", "Model", "Inference", "Regions", "DataIO"]),
    .testTarget(
      name: "PropertyTestingTests",
      dependencies: ["PropertyTesting", "Explainers", "Certification", "Model", "Inference", "Regions", "DataIO", "ExactArithmetic"]),
    .testTarget(
      name: "ReportsTests",
      dependencies: ["Reports", "Certification", "Explainers", "Model", "Inference", "DataIO", "ExactArithmetic"]),
    .testTarget(name: "DataIOTests", dependencies: ["DataIO"], exclude: ["Resources"]),
  ]
)
