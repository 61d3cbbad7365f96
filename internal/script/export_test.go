package script

// ForceReuse makes every run of s after the first use the runtime of the run before,
// if it was kept, whatever the script's source.
func ForceReuse(s *Script) {
	s.reuse = true
	s.idle = make(chan *sandbox, 1)
}

// Reused returns how many runs of s used a kept runtime.
func Reused(s *Script) int { return int(s.reused.Load()) }
