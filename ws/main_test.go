package ws_test

import (
	"testing"

	"gati.dev/gati/internal/leaktest"
)

func TestMain(m *testing.M) { leaktest.Main(m) }
