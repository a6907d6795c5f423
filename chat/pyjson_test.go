package chat

import (
	"testing"
)

func TestPyJSON(t *testing.T) {
	vb := &valueBuilder{}
	defer vb.release()
	v, err := vb.fromJSON([]byte(`{"z": 1, "a": [1.0, 2.5, 1e16, 1e-5, 0.0001, -0, 12345678901234567890], "s": "é\n\"\\\u0001<>&'", "e": {}, "l": []}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := pyJSON(v, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"z": 1, "a": [1.0, 2.5, 1e+16, 1e-05, 0.0001, 0, 12345678901234567890], "s": "é\n\"\\\u0001<>&'", "e": {}, "l": []}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got, _ = pyJSON(v, 2)
	want = "{\n  \"z\": 1,\n  \"a\": [\n    1.0,\n    2.5,\n    1e+16,\n    1e-05,\n    0.0001,\n    0,\n    12345678901234567890\n  ],\n  \"s\": \"é\\n\\\"\\\\\\u0001<>&'\",\n  \"e\": {},\n  \"l\": []\n}"
	if got != want {
		t.Errorf("indent: got  %s\nwant %s", got, want)
	}
}

func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		`{% for m in messages %}{{ m.role }}: {{ m.content | trim }}{% endfor %}`,
		`{{ messages[-1].content.split(' ')[-1] | tojson(indent=2) }}`,
		`{% set ns = namespace(x=1) %}{% if ns.x %}{{ raise_exception('x') }}{% endif %}`,
		`{{ strftime_now("%d %b %Y") }}{{ tools | tojson }}`,
		`{% for k, v in messages[0].items() %}{{ k }}{% endfor %}`,
		`{{`, `{% if %}`, `{{ 1 / 0 }}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tpl, err := New("fuzz", src)
		if err != nil {
			return
		}
		_, _ = tpl.Render([]Message{{Role: "user", Content: "hi"}}, RenderOptions{Tools: []Tool{weatherTool}})
	})
}
