package event

import "iter"

// This file walks JSON that encoding/json has already checked (json.Valid). Because
// the syntax is known to be right, finding where each member or element starts and
// ends takes one pass without a state machine, reflection or allocation; the
// relay decodes every event that crosses it, so this is most of its work.
//
// Nothing here may be called on unchecked input: on broken JSON the walk may stop
// early or index out of range.

// members yields the members of the JSON object that starts at obj[0] ('{'): the
// name as it appears in the document, with its quotes and any escapes, and the value
// as a slice of obj. Duplicate names are yielded as often as they appear.
func members(obj []byte) iter.Seq2[[]byte, []byte] {
	return func(yield func(name, value []byte) bool) {
		i := skipSpace(obj, 1)
		if obj[i] == '}' {
			return
		}
		for {
			end := stringEnd(obj, i)
			name := obj[i:end]
			i = skipSpace(obj, end)
			i = skipSpace(obj, i+1) // past ':'
			end = valueEnd(obj, i)
			// The capacity is cut at the value's end so that appending to it
			// cannot overwrite what follows in the shared buffer.
			if !yield(name, obj[i:end:end]) {
				return
			}
			i = skipSpace(obj, end)
			if obj[i] == '}' {
				return
			}
			i = skipSpace(obj, i+1) // past ','
		}
	}
}

// elements yields the index and value of each element of the JSON array that starts
// at arr[0] ('[').
func elements(arr []byte) iter.Seq2[int, []byte] {
	return func(yield func(int, []byte) bool) {
		i := skipSpace(arr, 1)
		if arr[i] == ']' {
			return
		}
		for n := 0; ; n++ {
			end := valueEnd(arr, i)
			if !yield(n, arr[i:end:end]) {
				return
			}
			i = skipSpace(arr, end)
			if arr[i] == ']' {
				return
			}
			i = skipSpace(arr, i+1) // past ','
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string that starts at b[i] ('"').
func stringEnd(b []byte, i int) int {
	for i++; ; i++ {
		switch b[i] {
		case '\\':
			i++ // the escaped byte cannot end the string
		case '"':
			return i + 1
		}
	}
}

// valueEnd returns the index just past the value that starts at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '"':
				i = stringEnd(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
	}
	// A number or a literal runs until a delimiter or the end of the input.
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}
