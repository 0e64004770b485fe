"""The guardrail rules, one module per topic. `social_platform.policies` imports them all (which
registers them) and is what the tests and the policy pack use. This file imports nothing on purpose."""
