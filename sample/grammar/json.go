package grammar

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

// JSON returns a new grammar of any JSON value (JSONGrammar). Compiling
// it is cheap; each Grammar keeps its own caches.
func JSON() *Grammar {
	return MustCompile(JSONGrammar, "root")
}
