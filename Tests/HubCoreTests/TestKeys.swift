/// 40-character Z85 keys for configs and key files. The parser checks only alphabet and
/// length, so any 40 characters of the Z85 alphabet will do.
enum TestKeys {
    /// libzmq's test client public key.
    static let clientPublic = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
    /// libzmq's test client secret key.
    static let clientSecret = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"
    /// libzmq's test server public key.
    static let serverPublic = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
    static let a = "FjO$69!cK>7:r4bTR8ub*S7&fs}}>7<>O6s5?hBR"
    static let b = "i/f<D?nd><@oLc*8&7{q-!SEX>WKCvnva<C^-HVA"
    static let c = "[9f+RlHj.R59?<EHI)->W8byY87D%<VANI2XJl]e"
    static let d = "-7rAgvOO-alVP*zhT*zRJMtjamjt#t1.(nxA0iR!"
    static let e = "L]&Eg+{$6W?OOPOdZ@P7o8qUkeH)6d0&j!cK]39q"
}
