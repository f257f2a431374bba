package ignored

//gati:route GET /ignored
func Ignored() {}
