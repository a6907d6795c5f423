package grammar

// JSONGrammar is GBNF for one JSON value with optional surrounding
// whitespace: exactly the texts encoding/json.Valid accepts (valid UTF-8
// assumed) whose whitespace runs are at most MaxJSONSpace bytes long.
// JSON itself allows any amount of whitespace; the bound keeps a weak model
// from filling its token budget with blanks, as llama.cpp's json grammar
// does (schema grammars from FromSchema bound it likewise).
const JSONGrammar = `root   ::= ws value ws
value  ::= object | array | string | number | "true" | "false" | "null"
object ::= "{" ws ( member ( "," ws member )* )? "}"
member ::= string ws ":" ws value ws
array  ::= "[" ws ( value ws ( "," ws value ws )* )? "]"
string ::= "\"" char* "\""
char   ::= [^"\\\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F]{4} )
number ::= "-"? ( "0" | [1-9] [0-9]* ) ( "." [0-9]+ )? ( [eE] [-+]? [0-9]+ )?
ws     ::= [ \t\n\r]{0,20}
`

// MaxJSONSpace is the longest run of whitespace JSONGrammar accepts
// between two tokens (or around the value).
const MaxJSONSpace = 20

// JSON returns a new grammar of any JSON value (JSONGrammar). Compiling
// it is cheap; each Grammar keeps its own caches.
func JSON() *Grammar {
	return MustCompile(JSONGrammar, "root")
}
