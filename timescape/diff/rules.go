package diff

// The rule IDs. They are stable: CI configurations and changelogs refer to
// them.
const (
	ruleRouteRemoved        = "route-removed"
	ruleRouteAdded          = "route-added"
	ruleStatusChanged       = "success-status-changed"
	ruleContentTypeChanged  = "content-type-changed"
	ruleRequestBodyAdded    = "request-body-added"
	ruleRequestBodyRemoved  = "request-body-removed"
	ruleResponseBodyAdded   = "response-body-added"
	ruleResponseBodyRemoved = "response-body-removed"

	ruleParamAddedRequired  = "request-param-added-required"
	ruleParamAddedOptional  = "request-param-added-optional"
	ruleParamRemoved        = "request-param-removed"
	ruleParamBecameRequired = "request-param-became-required"
	ruleParamBecameOptional = "request-param-became-optional"

	ruleRequestRequiredFieldAdded = "request-required-field-added"
	ruleRequestOptionalFieldAdded = "request-optional-field-added"
	ruleRequestFieldRemoved       = "request-field-removed"
	ruleRequestBecameRequired     = "request-field-became-required"
	ruleRequestBecameOptional     = "request-field-became-optional"
	ruleResponseFieldRemoved      = "response-field-removed"
	ruleResponseFieldAdded        = "response-field-added"
	ruleResponseBecameOptional    = "response-field-became-optional"
	ruleResponseBecameRequired    = "response-field-became-required"

	ruleTypeChanged          = "type-changed"
	ruleRequestTypeWidened   = "request-type-widened"
	ruleResponseTypeNarrowed = "response-type-narrowed"

	ruleRequestNullableRemoved  = "request-nullable-removed"
	ruleRequestNullableAdded    = "request-nullable-added"
	ruleResponseNullableAdded   = "response-nullable-added"
	ruleResponseNullableRemoved = "response-nullable-removed"

	ruleRequestEnumRemoved  = "request-enum-value-removed"
	ruleRequestEnumAdded    = "request-enum-value-added"
	ruleResponseEnumAdded   = "response-enum-value-added"
	ruleResponseEnumRemoved = "response-enum-value-removed"

	ruleRequestTightened  = "request-constraint-tightened"
	ruleRequestLoosened   = "request-constraint-loosened"
	ruleResponseLoosened  = "response-constraint-loosened"
	ruleResponseTightened = "response-constraint-tightened"

	ruleRequestDefaultChanged = "request-default-changed"
	ruleDefaultChanged        = "default-changed"
	ruleDeprecated            = "field-deprecated"
	ruleUndeprecated          = "field-undeprecated"
	ruleDescriptionChanged    = "description-changed"
	ruleExampleChanged        = "example-changed"
)

// Rule describes one rule of the engine.
type Rule struct {
	ID       string
	Severity Severity
}

// rules lists every rule, in the order of the package documentation.
var rules = []Rule{
	{ruleRouteRemoved, Breaking},
	{ruleStatusChanged, Breaking},
	{ruleContentTypeChanged, Breaking},
	{ruleRequestBodyAdded, Breaking},
	{ruleRequestBodyRemoved, Breaking},
	{ruleResponseBodyRemoved, Breaking},
	{ruleParamAddedRequired, Breaking},
	{ruleParamRemoved, Breaking},
	{ruleParamBecameRequired, Breaking},
	{ruleRequestRequiredFieldAdded, Breaking},
	{ruleRequestFieldRemoved, Breaking},
	{ruleRequestBecameRequired, Breaking},
	{ruleResponseFieldRemoved, Breaking},
	{ruleResponseBecameOptional, Breaking},
	{ruleTypeChanged, Breaking},
	{ruleRequestNullableRemoved, Breaking},
	{ruleResponseNullableAdded, Breaking},
	{ruleRequestEnumRemoved, Breaking},
	{ruleResponseEnumAdded, Breaking},
	{ruleRequestTightened, Breaking},
	{ruleResponseLoosened, Breaking},
	{ruleRequestDefaultChanged, Breaking},

	{ruleRouteAdded, Minor},
	{ruleResponseBodyAdded, Minor},
	{ruleParamAddedOptional, Minor},
	{ruleParamBecameOptional, Minor},
	{ruleRequestOptionalFieldAdded, Minor},
	{ruleRequestBecameOptional, Minor},
	{ruleResponseFieldAdded, Minor},
	{ruleRequestTypeWidened, Minor},
	{ruleRequestNullableAdded, Minor},
	{ruleRequestEnumAdded, Minor},
	{ruleRequestLoosened, Minor},
	{ruleDeprecated, Minor},

	{ruleResponseBecameRequired, Patch},
	{ruleResponseTypeNarrowed, Patch},
	{ruleResponseNullableRemoved, Patch},
	{ruleResponseEnumRemoved, Patch},
	{ruleResponseTightened, Patch},
	{ruleDefaultChanged, Patch},
	{ruleUndeprecated, Patch},
	{ruleDescriptionChanged, Patch},
	{ruleExampleChanged, Patch},
}

var severities = func() map[string]Severity {
	m := make(map[string]Severity, len(rules))
	for _, r := range rules {
		if _, dup := m[r.ID]; dup {
			panic("diff: duplicate rule " + r.ID)
		}
		m[r.ID] = r.Severity
	}
	return m
}()

// Rules returns every rule the engine applies, breaking ones first.
func Rules() []Rule { return append([]Rule(nil), rules...) }
