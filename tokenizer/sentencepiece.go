package tokenizer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// errTruncated reports a protobuf field running past its message.
var errTruncated = errors.New("truncated protobuf")

// protoReader walks the fields of one protobuf message.
type protoReader struct {
	b   []byte
	off int
}

// varint reads a base-128 varint.
func (r *protoReader) varint() (uint64, error) {
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		return 0, errTruncated
	}
	r.off += n
	return v, nil
}

// next reads one field: its number, wire type, varint value (wire types 0,
// 1, 5 widened) and bytes (wire type 2).
func (r *protoReader) next() (field int, wire int, val uint64, data []byte, err error) {
	key, err := r.varint()
	if err != nil {
		return 0, 0, 0, nil, err
	}
	field, wire = int(key>>3), int(key&7)
	switch wire {
	case 0:
		val, err = r.varint()
	case 1:
		if len(r.b)-r.off < 8 {
			return 0, 0, 0, nil, errTruncated
		}
		val = binary.LittleEndian.Uint64(r.b[r.off:])
		r.off += 8
	case 5:
		if len(r.b)-r.off < 4 {
			return 0, 0, 0, nil, errTruncated
		}
		val = uint64(binary.LittleEndian.Uint32(r.b[r.off:]))
		r.off += 4
	case 2:
		var n uint64
		if n, err = r.varint(); err != nil {
			return 0, 0, 0, nil, err
		}
		if n > uint64(len(r.b)-r.off) {
			return 0, 0, 0, nil, errTruncated
		}
		data = r.b[r.off : r.off+int(n)]
		r.off += int(n)
	default:
		return 0, 0, 0, nil, fmt.Errorf("unsupported protobuf wire type %d", wire)
	}
	return field, wire, val, data, err
}

func (r *protoReader) done() bool { return r.off >= len(r.b) }

// ParseSentencePiece reads a SentencePiece ModelProto (tokenizer.model):
// its pieces with scores and types, the special ids from the trainer spec
// and add_dummy_prefix from the normalizer spec.
func ParseSentencePiece(data []byte) (Vocab, error) {
	v := Vocab{Kind: SPM, BOS: 1, EOS: 2, UNK: 0, PAD: -1, EOT: -1, EOM: -1, AddBOS: true, AddSpacePrefix: true}
	r := &protoReader{b: data}
	for !r.done() {
		field, wire, _, msg, err := r.next()
		if err != nil {
			return v, fmt.Errorf("model: %w", err)
		}
		if wire != 2 {
			continue
		}
		switch field {
		case 1: // SentencePiece
			piece, score, ty, err := parsePiece(msg)
			if err != nil {
				return v, fmt.Errorf("piece %d: %w", len(v.Tokens), err)
			}
			v.Tokens = append(v.Tokens, piece)
			v.Scores = append(v.Scores, score)
			v.Types = append(v.Types, ty)
		case 2: // TrainerSpec
			if err := parseTrainerSpec(msg, &v); err != nil {
				return v, fmt.Errorf("trainer_spec: %w", err)
			}
		case 3: // NormalizerSpec
			if err := parseNormalizerSpec(msg, &v); err != nil {
				return v, fmt.Errorf("normalizer_spec: %w", err)
			}
		}
	}
	if len(v.Tokens) == 0 {
		return v, errors.New("no pieces")
	}
	return v, nil
}

// parsePiece reads ModelProto.SentencePiece {1: piece, 2: score, 3: type}.
func parsePiece(msg []byte) (string, float32, TokenType, error) {
	var piece string
	var score float32
	ty := TypeNormal
	r := &protoReader{b: msg}
	for !r.done() {
		field, wire, val, data, err := r.next()
		if err != nil {
			return "", 0, 0, err
		}
		switch {
		case field == 1 && wire == 2:
			piece = string(data)
		case field == 2 && wire == 5:
			score = math.Float32frombits(uint32(val))
		case field == 3 && wire == 0:
			ty = TokenType(val)
		}
	}
	return piece, score, ty, nil
}

// parseTrainerSpec reads unk_id (40), bos_id (41), eos_id (42), pad_id (43).
func parseTrainerSpec(msg []byte, v *Vocab) error {
	r := &protoReader{b: msg}
	for !r.done() {
		field, wire, val, _, err := r.next()
		if err != nil {
			return err
		}
		if wire != 0 {
			continue
		}
		id := int(int32(val))
		switch field {
		case 40:
			v.UNK = id
		case 41:
			v.BOS = id
		case 42:
			v.EOS = id
		case 43:
			v.PAD = id
		}
	}
	return nil
}

// parseNormalizerSpec reads add_dummy_prefix (3).
func parseNormalizerSpec(msg []byte, v *Vocab) error {
	r := &protoReader{b: msg}
	for !r.done() {
		field, wire, val, _, err := r.next()
		if err != nil {
			return err
		}
		if field == 3 && wire == 0 {
			v.AddSpacePrefix = val != 0
		}
	}
	return nil
}
