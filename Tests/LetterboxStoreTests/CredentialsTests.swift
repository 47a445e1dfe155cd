import LetterboxStore
import Testing

@Suite("Credentials")
struct CredentialsTests {
    @Test("anyone accepts every user and password, empty ones too")
    func anyone() {
        #expect(Credentials.anyone.accepts(user: "ana", password: "secret"))
        #expect(Credentials.anyone.accepts(user: "", password: ""))
        #expect(Credentials.anyone.users == nil)
    }

    @Test("a user list accepts only its exact user/password pairs")
    func userList() {
        let credentials = Credentials(users: ["ana": "s3cret", "bob": ""])
        #expect(credentials.accepts(user: "ana", password: "s3cret"))
        #expect(credentials.accepts(user: "bob", password: ""))
        #expect(!credentials.accepts(user: "ana", password: "S3CRET"))
        #expect(!credentials.accepts(user: "ANA", password: "s3cret"))
        #expect(!credentials.accepts(user: "ana", password: "s3cret "))
        #expect(!credentials.accepts(user: "carol", password: "s3cret"))
        #expect(!credentials.accepts(user: "ana", password: ""))
        #expect(!Credentials(users: [:]).accepts(user: "ana", password: "s3cret"))
    }
}
