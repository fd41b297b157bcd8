package kit

import (
	"errors"
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "sha-1a2b3c4", want: "sha-1a2b3c4"},
		{in: "https://flip.example.nhs.uk/api", want: "https://flip.example.nhs.uk/api"},
		{in: aesKey, want: aesKey},
		{in: "a,b@c+d=e", want: "a,b@c+d=e"},
		{in: "", want: ""},
		{in: "has space", want: "'has space'"},
		{in: "#not-a-comment", want: "'#not-a-comment'"},
		{in: "$HOME", want: "'$HOME'"},
		{in: `back\slash`, want: `'back\slash'`},
		{in: `say "hi"`, want: `'say "hi"'`},
		{in: "ünïcode", want: "'ünïcode'"},
		{in: "King's", want: `"King's"`},
		{in: `King's "A\B"`, want: `"King's \"A\\B\""`},
		{in: "King's $1", wantErr: true},
		{in: "line\nbreak", wantErr: true},
		{in: "tab\there", wantErr: true},
		{in: "nul\x00", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := quote(tc.in)
			if tc.wantErr {
				if !errors.Is(err, errUnquotable) {
					t.Fatalf("quote(%q) = %q, %v; want errUnquotable", tc.in, got, err)
				}
				if strings.Contains(err.Error(), tc.in) {
					t.Errorf("error %q repeats the value", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("quote(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			// What is written reads back as the same value.
			es := parse([]byte("K=" + got + "\n"))
			if len(es) != 1 || es[0].key != "K" || es[0].value != tc.in {
				t.Errorf("parse(K=%s) = %+v, want value %q", got, es, tc.in)
			}
		})
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	type kv struct{ key, value string }
	tests := []struct {
		name string
		in   string
		want []kv // one per entry; key "" for non-assignments
		raws []int
	}{
		{name: "plain", in: "A=1\nB=two words\n", want: []kv{{"A", "1"}, {"B", "two words"}}},
		{name: "export and blanks around equals", in: "export A = 1\n\tB\t=\t2\n", want: []kv{{"A", "1"}, {"B", "2"}}},
		{name: "exported is a key, not export", in: "exported=1\n", want: []kv{{"exported", "1"}}},
		{name: "inline comment", in: "A=1 # one\nB=x#y\n", want: []kv{{"A", "1"}, {"B", "x#y"}}},
		{name: "quoted keep hash", in: "A='1 # one'\nB=\"2 # two\"\n", want: []kv{{"A", "1 # one"}, {"B", "2 # two"}}},
		{name: "double-quoted escapes", in: `A="a\"b\\c\nd\$e\x"` + "\n", want: []kv{{"A", "a\"b\\c\nd$e\\x"}}},
		{
			name: "multi-line double-quoted value hides an assignment",
			in:   "PEM=\"-----BEGIN-----\nTRUST_API_KEY=no\n-----END-----\"\nB=2\n",
			want: []kv{{"PEM", "-----BEGIN-----\nTRUST_API_KEY=no\n-----END-----"}, {"B", "2"}},
			raws: []int{3, 1},
		},
		{
			name: "multi-line single-quoted value",
			in:   "A='x\ny'\n",
			want: []kv{{"A", "x\ny"}},
			raws: []int{2},
		},
		{
			name: "unterminated quote stays one opaque line",
			in:   "A=\"oops\nB=2\n",
			want: []kv{{"A", "\"oops"}, {"B", "2"}},
			raws: []int{1, 1},
		},
		{name: "comments and junk", in: "# c\n\n  \nJUNK\n=x\n1A=2\n", want: []kv{{"", ""}, {"", ""}, {"", ""}, {"", ""}, {"", ""}, {"", ""}}},
		{name: "crlf", in: "A=1\r\nB='2'\r\n", want: []kv{{"A", "1"}, {"B", "2"}}},
		{name: "byte order mark", in: "\ufeffA=1\n", want: []kv{{"A", "1"}}},
		{name: "sentinel with trailing space", in: Sentinel + "  \n", want: []kv{{"", ""}}},
		{name: "empty", in: "", want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			es := parse([]byte(tc.in))
			if len(es) != len(tc.want) {
				t.Fatalf("parse() = %d entries %+v, want %d", len(es), es, len(tc.want))
			}
			var rebuilt strings.Builder
			for i, e := range es {
				if e.key != tc.want[i].key || e.value != tc.want[i].value {
					t.Errorf("entry %d = (%q, %q), want (%q, %q)", i, e.key, e.value, tc.want[i].key, tc.want[i].value)
				}
				if tc.raws != nil && len(e.raw) != tc.raws[i] {
					t.Errorf("entry %d spans %d lines, want %d", i, len(e.raw), tc.raws[i])
				}
				for _, l := range e.raw {
					rebuilt.WriteString(l + "\n")
				}
			}
			// Entries keep every byte (a missing final newline aside).
			if tc.in != "" && rebuilt.String() != tc.in {
				t.Errorf("raw lines rebuild %q, want %q", rebuilt.String(), tc.in)
			}
		})
	}
}
