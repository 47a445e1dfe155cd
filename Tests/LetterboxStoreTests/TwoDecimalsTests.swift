import Testing

@testable import LetterboxStore

@Suite("Two decimals, as %.2f prints them")
struct TwoDecimalsTests {
    @Test("rounds to hundredths and pads the fraction")
    func twoDecimals() {
        #expect(0.0.twoDecimals == "0.00")
        #expect(0.054.twoDecimals == "0.05")
        #expect(0.056.twoDecimals == "0.06")
        #expect(3.1.twoDecimals == "3.10")
        #expect(12.999.twoDecimals == "13.00")
        #expect((-1.5).twoDecimals == "-1.50")
    }
}
