#include "pace.h"

void pace_init(struct pace *p, uint64_t t0, uint64_t hz, unsigned burst, uint64_t rate_mpps)
{
	p->t0 = t0;
	p->num = (uint64_t)burst * hz * 1000u;
	p->den = rate_mpps;
	p->slot = 0;
	p->missed = 0;
}
