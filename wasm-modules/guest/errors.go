package guest

import "errors"

var (
	errBadInput      = errors.New("athena_analyze: pointer was not returned by athena_alloc or length exceeds the buffer")
	errNotRegistered = errors.New("module registered no analyzer")
)
