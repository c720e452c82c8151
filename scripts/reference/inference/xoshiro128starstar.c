/* xoshiro128** 1.1, reference code by Blackman and Vigna (prng.di.unimi.it), from state {1, 2, 3, 4}: the
   numbers test/engine/inference/random.test.ts pins. gcc -O2 -o xo xoshiro128starstar.c && ./xo */
#include <stdint.h>
#include <stdio.h>
static inline uint32_t rotl(const uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
static uint32_t s[4] = {1, 2, 3, 4};
uint32_t next(void) {
  const uint32_t result = rotl(s[1] * 5, 7) * 9;
  const uint32_t t = s[1] << 9;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 11);
  return result;
}
int main(void) { for (int i = 0; i < 6; i++) printf("%u%s", next(), i < 5 ? ", " : "\n"); for (int i = 0; i < 994; i++) next(); printf("%u\n", next()); return 0; }
