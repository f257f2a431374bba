package effects_test

import (
	"testing"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/effectstest"
)

var memory = effectstest.Harness{Open: func(t *testing.T) effects.Backend { return effects.NewMemory() }}

func TestMemoryBackend(t *testing.T) { effectstest.RunBackend(t, memory) }

func TestMemoryRuntime(t *testing.T) { effectstest.RunRuntime(t, memory) }
