/// 40-character Z85 keys for key files and client configs. The parser checks only alphabet
/// and length, so any 40 characters of the Z85 alphabet will do (random ones here).
enum TestKeys {
    static let clientPublic = "Qm7x^Ltb0.VZ!e[k3R&pW]n9/Hd*Gf2{uYs@Ja-4"
    static let clientSecret = "8z:Ko(Nc)Xv+1hT=qE<i#B>g6$Fw%Dy?SjU5rAlM"
    static let serverPublic = "w0F}cZ&u8.Qp=nH!eK3[tV^iM*Ls/Gy@b9-aR:Dx"
    static let a = ":3WxW@rw$1UJZYEW!C3pjE&AsQ%L<&}Xpl<[Z@n@"
    static let b = "%D8PEsD89a>m/C098j@AN>oRUG:&YiPw.V(SaZgm"
    static let e = "#>aYX/wsW6A9f3{[dog1M{IDfqnvFRGm.3u=Mxrz"
}
