import XCTest
@testable import BrewImport

final class ImporterTests: XCTestCase {}
