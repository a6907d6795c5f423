package grammar

import "sync"

// JSONGrammar is GBNF for exactly the texts encoding/json.Valid accepts
// (valid UTF-8 assumed): one JSON value with optional surrounding
// whitespace. Whitespace is unbounded, as JSON allows; for generation,
// FromSchema bounds it.
const JSONGrammar = `root   ::= ws value ws
value  ::= object | array | string | number | "true" | "false" | "null"
object ::= "{" ws ( member ( "," ws member )* )? "}"
member ::= string ws ":" ws value ws
array  ::= "[" ws ( value ws ( "," ws value ws )* )? "]"
string ::= "\"" char* "\""
char   ::= [^"\\\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F]{4} )
number ::= "-"? ( "0" | [1-9] [0-9]* ) ( "." [0-9]+ )? ( [eE] [-+]? [0-9]+ )?
ws     ::= [ \t\n\r]*
`

var (
	jsonOnce    sync.Once
	jsonGrammar *Grammar
)

// JSON returns the shared grammar of any JSON value (JSONGrammar).
func JSON() *Grammar {
	jsonOnce.Do(func() { jsonGrammar = MustCompile(JSONGrammar, "root") })
	return jsonGrammar
}
