package script

import "errors"

// Making a runtime with the sandbox's built-ins costs some hundreds of microseconds,
// several times what a typical script takes to run. So each Script keeps the runtimes
// its runs used, locked down (see lockdown.go), and a run takes one if there is one. A
// runtime goes back only when its run ended on its own, with a result, an exception,
// or a result that could not be used: never after an interruption (the time limit, the
// context) nor after a failure of the runtime. A script keeps at most GOMAXPROCS
// runtimes, as many as can run at once. (A sync.Pool would give them up at every
// garbage collection, and making one allocates enough to bring the next one on.)

// acquire returns a runtime for a run: a kept one if there is one, else a new one,
// locked down if the script's runs may share it.
func (s *Script) acquire() *sandbox {
	select {
	case sb := <-s.idle:
		s.reused.Add(1)
		return sb
	default:
	}
	sb := newSandbox(s.opts)
	if s.reuse {
		sb.reusable = sb.lockdown()
	}
	return sb
}

// release keeps sb for another run if it may be reused and the run that used it, which
// ended with err, ended on its own.
func (s *Script) release(sb *sandbox, err error) {
	var (
		ex *Exception
		re *ResultError
	)
	if !sb.reusable || err != nil && !errors.As(err, &ex) && !errors.As(err, &re) && !errors.Is(err, errNoEntry) {
		return
	}
	sb.reset()
	select {
	case s.idle <- sb:
	default:
	}
}

// reset forgets the state of the run that used the sandbox.
func (sb *sandbox) reset() {
	sb.logs, sb.dropped = nil, 0
	sb.joining, sb.steps = nil, nil
	sb.pending = nil
}
