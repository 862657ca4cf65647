import Reports
import Testing

@Suite struct HTMLTextTests {
  @Test func escapesMarkupCharacters() {
    #expect(HTMLText.escaped("<b a=\"1\">x & 'y'</b>") == "&lt;b a=&quot;1&quot;&gt;x &amp; &#39;y&#39;&lt;/b&gt;")
    #expect(HTMLText.escaped("plain") == "plain")
  }
}
