/*
 * gen-chain: a seeded generator of realistic option chains in gex's long CSV layout (SPEC 2).
 *
 * The same seed and options always give the same file, byte for byte (zstd's datagen idea): the
 * sample in data/ and every benchmark input come from here.
 *
 *   gen-chain [--seed N] [--big] [--market] [--underlyings N] [--no-iv] [-o FILE]
 *   gen-chain --days N --dir DIR [--start YYYY-MM-DD] [--symbols SPX,SPY,...] [--big] [--seed N]
 *
 * Default: one index chain (an SPX-like underlying quoted on Wednesday 2026-11-18 at 14:30 New
 * York time) with a 0DTE daily, the other dailies, weeklies, AM-settled monthlies beside their
 * PM-settled weeklies, and long-dated December expiries; a skewed volatility smile; open interest
 * concentrated on round strikes. --big lists the index as fully as the exchange does (a month of
 * dailies, more weeklies and monthlies, 5-point strikes further out): about 52,000 contracts, the
 * size of a real SPX chain. --market adds liquid ETFs and thousands of single-stock chains,
 * about the size of the whole US listed options market on one day (~1.5 million contracts).
 *
 * Quotes are Black-Scholes-Merton prices (gex_bs_price) at the smile's volatility, widened to a
 * bid/ask on the exchange's tick; the iv column holds that volatility rounded to 1e-4 (omitted
 * with --no-iv, so gex solves it from the mid).
 *
 * --days N writes a folder of daily files instead, DIR/SYMBOL_YYYY-MM-DD.csv for N weekdays from
 * --start (default 2026-01-05) at 15:45 New York time, for each of --symbols (default SPX, SPY,
 * QQQ, IWM): a time series as users keep one. Per underlying the spot follows a geometric random
 * walk whose daily volatility is 0.85 of the day's at-the-money IV (implied above realized, as
 * markets price it), the IV level a mean-reverting log process whose shocks are -0.7 correlated
 * with the spot's (volatility rises when the market falls), and the open-interest level a
 * random walk of 4% a day; each contract's open interest also has its own noise every day.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gex/gex.h"
#include "splitmix64.h"

/* Carry the quotes are priced with: SPEC 1.2's defaults, so gex recovers the file's IV. */
#define GEN_RATE 0.045
#define GEN_DIV  0.013

/* The quote instant: Wednesday 2026-11-18, 14:30 New York time (EST, UTC-5). */
#define GEN_QUOTE_YEAR   2026
#define GEN_QUOTE_MONTH  11
#define GEN_QUOTE_DAY    18
#define GEN_QUOTE_SECOND (14 * 3600 + 30 * 60)

/* --- xoshiro256** seeded by splitmix64 (Blackman and Vigna, 2018; public domain algorithms) */

typedef struct rng {
    uint64_t s[4];
} rng;

static void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = gex_splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1) with 53 random bits. */
static double rng_uniform(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Standard normal by Box-Muller (one of the pair; simplicity over speed). */
static double rng_normal(rng *r)
{
    double u1 = rng_uniform(r);
    double u2 = rng_uniform(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* --- one underlying */

typedef struct expiry {
    int32_t day;
    const char *root;
    int monthly; /* third Friday */
    double T;
} expiry;

typedef struct underlying {
    char symbol[16];
    char root_am[16]; /* AM-settled monthly root ("SPX"), "" when none */
    char root_pm[16]; /* PM-settled root ("SPXW", or the symbol) */
    double spot;
    double atm_vol;  /* at-the-money volatility at one month */
    double skew;     /* d sigma / d log-moneyness per sqrt-year-normalised unit */
    double smile;    /* curvature */
    double oi_scale; /* typical open interest at the money */
    int index;       /* index-like: dailies, 0DTE, wide strike range */
    int daily_days;  /* dailies listed this many calendar days ahead (index-like only) */
    int fine;        /* full exchange listing: 5-point strikes out to +-12% at every expiry */
    int weeklies;    /* number of weekly expiries */
    int monthlies;   /* number of monthly expiries */
    int leaps;       /* number of December expiries after the monthlies */
    int call_heavy;  /* calls hold more open interest than puts (single stocks in --dir) */
} underlying;

static int day_of_week(int32_t day)
{
    /* 1970-01-01 was a Thursday (4); 0 = Sunday. */
    int w = (int)((day % 7 + 7 + 4) % 7);
    return w;
}

static int32_t third_friday(int year, int month)
{
    int32_t first = gex_time_days_from_civil(year, month, 1);
    int w = day_of_week(first);
    int to_friday = (5 - w + 7) % 7;
    return first + to_friday + 14;
}

/* Expirations of an underlying after the quote day (and including it for index dailies). */
static size_t make_expiries(const underlying *u, int32_t quote_day, int64_t quote_utc, expiry *out,
                            size_t max)
{
    size_t n = 0;
    int32_t last_short = quote_day;
#define ADD_EXPIRY(d, r, mo)                                                                       \
    do {                                                                                           \
        if (n < max) {                                                                             \
            out[n].day = (d);                                                                      \
            out[n].root = (r);                                                                     \
            out[n].monthly = (mo);                                                                 \
            n++;                                                                                   \
        }                                                                                          \
    } while (0)

    if (u->index) {
        /* Dailies: every weekday for a week, the quote day (0DTE) included. */
        for (int32_t d = quote_day; d <= quote_day + u->daily_days; d++) {
            int w = day_of_week(d);
            if (w == 0 || w == 6)
                continue;
            ADD_EXPIRY(d, u->root_pm, 0);
            last_short = d;
        }
    }
    /* Weeklies: Fridays after the dailies. */
    int weeks = 0;
    for (int32_t d = last_short + 1; weeks < u->weeklies; d++) {
        if (day_of_week(d) != 5)
            continue;
        ADD_EXPIRY(d, u->root_pm, 0);
        weeks++;
        last_short = d;
    }
    /* Monthlies: third Fridays, AM-settled under their own root when the underlying has one. */
    int y, m, dd;
    gex_time_civil_from_days(quote_day, &y, &m, &dd);
    int months = 0;
    for (int k = 0; months < u->monthlies; k++) {
        int mm = (m - 1 + k) % 12 + 1;
        int yy = y + (m - 1 + k) / 12;
        int32_t d = third_friday(yy, mm);
        if (d <= quote_day)
            continue;
        /* The PM root lists the same Friday too; the short loops above already added the
         * ones they reached. */
        if (u->root_am[0] != '\0')
            ADD_EXPIRY(d, u->root_am, 1);
        if (d > last_short)
            ADD_EXPIRY(d, u->root_pm, 1);
        months++;
        if (k > 36)
            break;
    }
    /* LEAPS: December third Fridays after the monthlies. */
    int32_t after = n > 0 ? out[n - 1].day : quote_day;
    int leaps = 0;
    for (int yy = y; leaps < u->leaps && yy < y + 5; yy++) {
        int32_t d = third_friday(yy, 12);
        if (d <= after)
            continue;
        ADD_EXPIRY(d, u->root_am[0] != '\0' ? u->root_am : u->root_pm, 1);
        leaps++;
    }
#undef ADD_EXPIRY
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(out[i].root);
        gex_settle style = gex_time_root_settle(out[i].root, len);
        int64_t settle = gex_time_settlement(out[i].day, style);
        out[i].T = (double)(settle - quote_utc) / GEX_SECONDS_PER_YEAR;
    }
    return n;
}

/* Strike spacing at a distance from the spot, as exchanges list them. */
static double strike_step(const underlying *u, double strike, double T)
{
    double s = u->spot;
    double dist = fabs(strike / s - 1.0);
    if (u->index && u->fine) {
        if (dist < 0.12)
            return 5.0;
        return dist < 0.25 ? 25.0 : 100.0;
    }
    if (u->index) {
        double base = s > 1000 ? 5.0 : 1.0;
        if (T > 0.25)
            base *= 5.0;
        if (dist < 0.03)
            return base;
        if (dist < 0.10)
            return base * 5.0;
        return base * 20.0;
    }
    double base = s < 25 ? 0.5 : s < 75 ? 1.0 : s < 200 ? 2.5 : s < 500 ? 5.0 : 10.0;
    if (dist > 0.25)
        base *= 2.0;
    if (T > 0.5)
        base *= 2.0;
    return base;
}

/* The smile: sigma(k, T) with k = ln(K/F) / sqrt(T) (a quadratic in standardised moneyness with
 * a term structure of the at-the-money level); floored to stay a plausible market volatility. */
static double smile_vol(const underlying *u, double K, double T)
{
    double F = u->spot * exp((GEN_RATE - GEN_DIV) * T);
    double sq = sqrt(T);
    double k = log(K / F) / sq;
    double term = u->atm_vol * (0.85 + 0.15 * sqrt(T / (1.0 / 12.0))) / (1.0 + 0.1 * T);
    if (T < 7.0 / 365.0)
        term *= 1.0 + 0.35 * (7.0 / 365.0 - T) * 365.0 / 7.0; /* event-heavy short end */
    double v = term + u->skew * k + u->smile * k * k;
    if (v < 0.35 * term)
        v = 0.35 * term;
    if (v > 3.0)
        v = 3.0;
    return v;
}

/* Open-interest weight of a strike: round strikes attract positions. */
static double round_weight(const underlying *u, double K)
{
    double unit = u->index ? (u->spot > 1000 ? 100.0 : 10.0) : (u->spot < 50 ? 5.0 : 10.0);
    if (fmod(K, unit) == 0.0)
        return 4.0;
    if (fmod(K, unit / 2) == 0.0)
        return 2.0;
    if (fmod(K, unit / 4) == 0.0)
        return 1.4;
    return 1.0;
}

static double round_to_tick(double x, double tick, int up)
{
    double n = x / tick;
    n = up ? ceil(n - 1e-9) : floor(n + 1e-9);
    return n * tick;
}

static void format_occ(char *buf, size_t size, const char *root, int32_t day, int type, double K)
{
    int y, m, d;
    gex_time_civil_from_days(day, &y, &m, &d);
    long k1000 = lround(K * 1000.0);
    snprintf(buf, size, "%s%02d%02d%02d%c%08ld", root, y % 100, m, d, type == GEX_PUT ? 'P' : 'C',
             k1000);
}

typedef struct writer {
    FILE *out;
    int with_iv;
    int json; /* --cboe-json: CBOE's delayed-quotes JSON instead of the long CSV */
    int64_t quote_utc;
    char quote_iso[32];
    size_t contracts;
} writer;

static int write_underlying(writer *w, const underlying *u, rng *r, int32_t quote_day)
{
    expiry exps[128];
    size_t n_exp = make_expiries(u, quote_day, w->quote_utc, exps, 128);
    for (size_t e = 0; e < n_exp; e++) {
        const expiry *ex = &exps[e];
        double T = ex->T;
        if (T <= 0)
            continue;
        char date[16];
        gex_time_format_date(ex->day, date, sizeof date);
        /* Listed range: wider for longer expiries and for the index. */
        double width = (u->index ? 3.2 : 2.4) * u->atm_vol * sqrt(T) + 0.04;
        if (width > 0.85)
            width = 0.85;
        double lo = u->spot * (1.0 - width);
        double hi = u->spot * (1.0 + 0.7 * width);
        double K = lo;
        double step0 = strike_step(u, K, T);
        K = ceil(K / step0) * step0;
        /* Open interest level by expiry: monthlies and the near term hold the most. */
        double oi_level = u->oi_scale * (ex->monthly ? 2.5 : 1.0) / (1.0 + 4.0 * T);
        if (ex->day == quote_day)
            oi_level *= 1.5;
        while (K <= hi) {
            double sigma = smile_vol(u, K, T);
            double mny = log(K / u->spot) / (u->atm_vol * sqrt(T) + 0.02);
            for (int type = GEX_CALL; type <= GEX_PUT; type++) {
                double price;
                int st = gex_bs_price(type, u->spot, K, T, sigma, GEN_RATE, GEN_DIV, &price);
                if (st != GEX_BS_OK)
                    continue;
                double tick = price < 3.0 ? 0.05 : 0.10;
                if (!u->index)
                    tick = price < 3.0 ? 0.01 : 0.05;
                double half = fmax(tick, price * (0.01 + 0.02 * fmin(fabs(mny), 3.0)));
                double bid = round_to_tick(price - half, tick, 0);
                double ask = round_to_tick(price + half, tick, 1);
                if (bid < 0)
                    bid = 0;
                if (ask < tick)
                    ask = tick;
                /* Positions sit out of the money: puts below the spot, calls above. */
                double otm = type == GEX_PUT ? -mny : mny;
                double side = otm > -0.3 ? 1.0 : 0.35;
                double oi = oi_level * round_weight(u, K) * side * exp(-0.5 * mny * mny / 2.2) *
                            exp(0.6 * rng_normal(r));
                if (type == GEX_PUT)
                    oi *= u->call_heavy ? 0.85 : 1.3; /* index put hedges, stock call buying */
                double oi_int = floor(oi);
                double vol = floor(oi * rng_uniform(r) * (T < 0.05 ? 0.8 : 0.15));
                double last = round_to_tick(price * (1.0 + 0.01 * rng_normal(r)), tick, 0);
                if (last < tick)
                    last = tick;
                char occ[48];
                format_occ(occ, sizeof occ, ex->root, ex->day, type, K);
                if (w->json) {
                    /* Every field of a CBOE record, in CBOE's order (the real files' size:
                     * about 390 bytes a contract). */
                    fprintf(w->out,
                            "%s{\"option\":\"%s\",\"bid\":%.2f,\"bid_size\":7.0,\"ask\":%.2f,"
                            "\"ask_size\":7.0,\"iv\":%.4f,\"open_interest\":%.1f,\"volume\":%.1f,"
                            "\"delta\":0.0,\"gamma\":0.0,\"theta\":0.0,\"rho\":0.0,\"vega\":0.0,"
                            "\"theo\":%.4f,\"change\":0.0,\"open\":0.0,\"high\":0.0,\"low\":0.0,"
                            "\"tick\":\"no_change\",\"last_trade_price\":%.2f,"
                            "\"last_trade_time\":\"%.10sT14:29:51\",\"percent_change\":0.0,"
                            "\"prev_day_close\":%.2f}",
                            w->contracts > 0 ? ",\n" : "", occ, bid, ask, w->with_iv ? sigma : 0.0,
                            oi_int, vol, price, last, w->quote_iso, last);
                    w->contracts++;
                    continue;
                }
                fprintf(w->out, "%s,%s,%s,%.10g,%s,%.2f,%.2f,%.2f,", u->symbol, occ, date, K,
                        type == GEX_PUT ? "P" : "C", bid, ask, last);
                if (w->with_iv)
                    fprintf(w->out, "%.4f", sigma);
                fprintf(w->out, ",%.0f,%.0f,%.2f,%s\n", oi_int, vol, u->spot, w->quote_iso);
                w->contracts++;
            }
            K += strike_step(u, K, T);
            /* Keep K on the grid of its new step. */
            double st2 = strike_step(u, K, T);
            K = ceil(K / st2 - 1e-9) * st2;
        }
    }
    return ferror(w->out) ? -1 : 0;
}

/* Ticker names for the generated single stocks: four letters from the seed. */
static void make_ticker(rng *r, char *buf, size_t size, size_t index)
{
    static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    size_t len = 3 + (index % 2);
    size_t i = 0;
    for (; i < len && i + 1 < size; i++)
        buf[i] = letters[rng_next(r) % 26];
    buf[i] = '\0';
    /* A suffix from the index keeps every ticker unique. */
    char suffix[24]; /* any size_t */
    snprintf(suffix, sizeof suffix, "%zu", index);
    strncat(buf, suffix, size - strlen(buf) - 1);
}

/* --- a folder of daily files --- */

/* The walk's parameters, per trading day (dt = 1/252). */
#define WALK_DT          (1.0 / 252.0)
#define WALK_RV_OVER_IV  0.85 /* realized volatility as a share of the ATM IV */
#define WALK_IV_REVERT   4.0  /* speed of mean reversion of log IV, per year */
#define WALK_IV_VOL      0.9  /* volatility of log IV, per sqrt(year) */
#define WALK_IV_SPOT_RHO (-0.7)
#define WALK_OI_VOL      0.04 /* daily log change of the open-interest level */

typedef struct daily {
    underlying u;
    double iv_mean; /* the level log IV reverts to */
} daily;

static int daily_setup(const char *name, int big, daily *d)
{
    memset(d, 0, sizeof *d);
    /* ETFs list dailies like an index; single stocks (stock = 1) only weeklies and
     * monthlies, a flatter skew and less open interest. */
    static const struct {
        const char *symbol;
        double spot, vol;
        int stock;
    } etfs[] = {{"SPY", 746.12, 0.14, 0},  {"QQQ", 612.55, 0.19, 0},  {"IWM", 241.87, 0.22, 0},
                {"DIA", 463.02, 0.13, 0},  {"GLD", 301.44, 0.16, 0},  {"TLT", 91.37, 0.15, 0},
                {"AAPL", 271.40, 0.26, 1}, {"MSFT", 508.66, 0.24, 1}, {"NVDA", 182.15, 0.40, 1},
                {"AMZN", 229.80, 0.32, 1}, {"META", 648.35, 0.33, 1}, {"TSLA", 431.20, 0.55, 1},
                {"AMD", 233.54, 0.50, 1}};
    if (strcmp(name, "SPX") == 0) {
        d->u = (underlying){.symbol = "SPX",
                            .root_am = "SPX",
                            .root_pm = "SPXW",
                            .spot = 7483.26,
                            .atm_vol = 0.145,
                            .skew = -0.045,
                            .smile = 0.012,
                            .oi_scale = 900.0,
                            .index = 1,
                            .daily_days = big ? 30 : 7,
                            .fine = big,
                            .weeklies = big ? 14 : 3,
                            .monthlies = big ? 16 : 4,
                            .leaps = big ? 4 : 2};
    } else {
        size_t i = 0;
        while (i < sizeof etfs / sizeof etfs[0] && strcmp(etfs[i].symbol, name) != 0)
            i++;
        if (i == sizeof etfs / sizeof etfs[0])
            return -1;
        d->u = (underlying){.spot = etfs[i].spot,
                            .atm_vol = etfs[i].vol,
                            .skew = etfs[i].stock ? -0.02 : -0.03,
                            .smile = etfs[i].stock ? 0.02 : 0.015,
                            .oi_scale = etfs[i].stock ? 1200.0 : 3000.0,
                            .index = !etfs[i].stock,
                            .daily_days = etfs[i].stock ? 0 : 7,
                            .weeklies = 4,
                            .monthlies = etfs[i].stock ? 6 : 4,
                            .leaps = etfs[i].stock ? 2 : 1,
                            .call_heavy = etfs[i].stock};
        snprintf(d->u.symbol, sizeof d->u.symbol, "%s", etfs[i].symbol);
        snprintf(d->u.root_pm, sizeof d->u.root_pm, "%s", etfs[i].symbol);
    }
    d->iv_mean = log(d->u.atm_vol);
    return 0;
}

/* One day of the walk: the spot at the previous day's IV, then the IV and open interest. */
static void daily_step(daily *d, rng *r)
{
    const double z1 = rng_normal(r), z2 = rng_normal(r), z3 = rng_normal(r);
    const double rv = WALK_RV_OVER_IV * d->u.atm_vol;
    d->u.spot *= exp(-0.5 * rv * rv * WALK_DT + rv * sqrt(WALK_DT) * z1);
    d->u.spot = round(d->u.spot * 100.0) / 100.0;
    const double zi = WALK_IV_SPOT_RHO * z1 + sqrt(1.0 - WALK_IV_SPOT_RHO * WALK_IV_SPOT_RHO) * z2;
    double lv = log(d->u.atm_vol);
    lv += WALK_IV_REVERT * (d->iv_mean - lv) * WALK_DT + WALK_IV_VOL * sqrt(WALK_DT) * zi;
    d->u.atm_vol = exp(lv);
    d->u.oi_scale *= exp(WALK_OI_VOL * z3);
}

static int write_days(const char *dir, int32_t start, long days, const char *symbols, int big,
                      int with_iv, uint64_t seed)
{
    daily d[16];
    size_t n = 0;
    char list[256];
    snprintf(list, sizeof list, "%s", symbols);
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        if (n == sizeof d / sizeof d[0] || daily_setup(t, big, &d[n]) != 0) {
            fprintf(stderr,
                    "gen-chain: --symbols: '%s' is not one of SPX, SPY, QQQ, IWM, DIA, "
                    "GLD, TLT, AAPL, MSFT, NVDA, AMZN, META, TSLA, AMD (at most 16)\n",
                    t);
            return 2;
        }
        n++;
    }
    /* the folder is made when missing (its parent must exist), as the manual's example runs */
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen-chain: %s: cannot make the folder: %s\n", dir, strerror(errno));
        return 3;
    }
    rng r;
    rng_seed(&r, seed);
    size_t contracts = 0, files = 0;
    int32_t day = start;
    for (long k = 0; k < days; k++, day++) {
        while (day_of_week(day) == 0 || day_of_week(day) == 6)
            day++;
        for (size_t i = 0; i < n; i++) {
            if (k > 0)
                daily_step(&d[i], &r);
            char date[16], path[4096];
            gex_time_format_date(day, date, sizeof date);
            snprintf(path, sizeof path, "%s/%s_%s.csv", dir, d[i].u.symbol, date);
            FILE *out = fopen(path, "w");
            if (out == NULL) {
                fprintf(stderr, "gen-chain: %s: %s\n", path, strerror(errno));
                return 3;
            }
            writer w = {.out = out, .with_iv = with_iv};
            w.quote_utc = gex_time_eastern_to_utc(day, 15 * 3600 + 45 * 60);
            gex_time_format_iso(w.quote_utc, w.quote_iso, sizeof w.quote_iso);
            fputs("underlying,option_symbol,expiration,strike,type,bid,ask,last,iv,"
                  "open_interest,volume,underlying_price,quote_time\n",
                  out);
            int rc = write_underlying(&w, &d[i].u, &r, day);
            if (fclose(out) != 0 || rc != 0) {
                fprintf(stderr, "gen-chain: %s: write failed: %s\n", path, strerror(errno));
                return 4;
            }
            contracts += w.contracts;
            files++;
        }
    }
    fprintf(stderr, "gen-chain: %zu files, %zu contracts\n", files, contracts);
    return 0;
}

/* A whole number of opt's from min to max, the whole of text (digits only: no sign, no space,
 * nothing after them): 0 and *out, or -1 after saying what is wrong (a misspelt count would
 * otherwise make another chain, with the same seed, without a word). */
static int parse_count(const char *opt, const char *text, unsigned long long min,
                       unsigned long long max, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    const unsigned long long v = isdigit((unsigned char)text[0]) ? strtoull(text, &end, 10) : 0;
    if (end == NULL || end == text || *end != '\0' || errno == ERANGE || v < min || v > max) {
        fprintf(stderr, "gen-chain: %s: '%s' is not a whole number from %llu to %llu\n", opt, text,
                min, max);
        return -1;
    }
    *out = v;
    return 0;
}

static void usage(FILE *out)
{
    fputs(
        "usage: gen-chain [--seed N] [--big] [--market] [--underlyings N] [--no-iv] [--cboe-json]\n"
        "                 [-o FILE]\n"
        "  --seed N         generator seed (default 20261118)\n"
        "  --big            the index listed in full (about 52,000 contracts)\n"
        "  --market         whole-market file: the index, liquid ETFs and single stocks\n"
        "  --underlyings N  single stocks in --market mode (default 4000)\n"
        "  --no-iv          leave the iv column empty (gex solves IV from the mid)\n"
        "  --cboe-json      the same contracts as CBOE's delayed-quotes JSON (not with --market)\n"
        "  -o FILE          write there (default standard output)\n"
        "  --days N --dir DIR  a folder of N weekdays of daily files per symbol\n"
        "  --start DATE     the first day (default 2026-01-05)\n"
        "  --symbols LIST   of SPX, SPY, QQQ, IWM, DIA, GLD, TLT, AAPL, MSFT, NVDA, AMZN,\n"
        "                   META, TSLA, AMD (default SPX,SPY,QQQ,IWM)\n",
        out);
}

int main(int argc, char **argv)
{
    uint64_t seed = 20261118;
    int market = 0;
    int big = 0;
    long n_stocks = 4000;
    const char *path = NULL;
    int with_iv = 1;
    long days = 0;
    const char *dir = NULL;
    const char *symbols = "SPX,SPY,QQQ,IWM";
    int32_t start = gex_time_days_from_civil(2026, 1, 5);
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        unsigned long long v = 0;
        if (strcmp(a, "--seed") == 0 && i + 1 < argc) {
            if (parse_count("--seed", argv[++i], 0, UINT64_MAX, &v) != 0)
                return 2;
            seed = (uint64_t)v;
        } else if (strcmp(a, "--big") == 0) {
            big = 1;
        } else if (strcmp(a, "--market") == 0) {
            market = 1;
        } else if (strcmp(a, "--underlyings") == 0 && i + 1 < argc) {
            if (parse_count("--underlyings", argv[++i], 0, 100000, &v) != 0)
                return 2;
            n_stocks = (long)v;
        } else if (strcmp(a, "--days") == 0 && i + 1 < argc) {
            if (parse_count("--days", argv[++i], 1, 100000, &v) != 0)
                return 2;
            days = (long)v;
        } else if (strcmp(a, "--dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(a, "--symbols") == 0 && i + 1 < argc) {
            symbols = argv[++i];
        } else if (strcmp(a, "--start") == 0 && i + 1 < argc) {
            const char *d = argv[++i];
            if (gex_time_parse_date(d, strlen(d), &start) != GEX_OK) {
                fprintf(stderr, "gen-chain: --start: '%s' is not a date (YYYY-MM-DD)\n", d);
                return 2;
            }
        } else if (strcmp(a, "--no-iv") == 0) {
            with_iv = 0;
        } else if (strcmp(a, "--cboe-json") == 0) {
            json = 1;
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else if (strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }

    if ((days > 0) != (dir != NULL)) {
        fprintf(stderr, "gen-chain: --days and --dir go together\n");
        return 2;
    }
    if (days > 0)
        return write_days(dir, start, days, symbols, big, with_iv, seed);

    if (json && market) {
        fprintf(stderr, "gen-chain: --cboe-json writes one underlying: not with --market\n");
        return 2;
    }
    FILE *out = stdout;
    if (path != NULL) {
        out = fopen(path, "w");
        if (out == NULL) {
            fprintf(stderr, "gen-chain: %s: %s\n", path, strerror(errno));
            return 3;
        }
    }

    int32_t quote_day = gex_time_days_from_civil(GEN_QUOTE_YEAR, GEN_QUOTE_MONTH, GEN_QUOTE_DAY);
    writer w = {.out = out, .with_iv = with_iv, .json = json};
    w.quote_utc = gex_time_eastern_to_utc(quote_day, GEN_QUOTE_SECOND);
    gex_time_format_iso(w.quote_utc, w.quote_iso, sizeof w.quote_iso);

    rng r;
    rng_seed(&r, seed);
    if (json) /* CBOE's timestamp: UTC as "YYYY-MM-DD HH:MM:SS" */
        fprintf(out, "{\"timestamp\":\"%.10s %.8s\",\"symbol\":\"_SPX\",\"data\":{\"options\":[\n",
                w.quote_iso, w.quote_iso + 11);
    else
        fputs("underlying,option_symbol,expiration,strike,type,bid,ask,last,iv,open_interest,"
              "volume,underlying_price,quote_time\n",
              out);

    underlying spx = {.symbol = "SPX",
                      .root_am = "SPX",
                      .root_pm = "SPXW",
                      .spot = 7483.26,
                      .atm_vol = 0.145,
                      .skew = -0.045,
                      .smile = 0.012,
                      .oi_scale = 900.0,
                      .index = 1,
                      .daily_days = big      ? 30
                                    : market ? 14
                                             : 7,
                      .fine = big,
                      .weeklies = big ? 14 : 3,
                      .monthlies = big ? 16 : 4,
                      .leaps = big ? 4 : 2};
    int rc = write_underlying(&w, &spx, &r, quote_day);

    if (market && rc == 0) {
        /* Liquid ETFs: index-like dailies and deep strike lists. */
        static const struct {
            const char *symbol;
            double spot, vol;
        } etfs[] = {{"SPY", 746.12, 0.14}, {"QQQ", 612.55, 0.19}, {"IWM", 241.87, 0.22},
                    {"DIA", 463.02, 0.13}, {"GLD", 301.44, 0.16}, {"TLT", 91.37, 0.15},
                    {"HYG", 79.81, 0.07},  {"EEM", 49.66, 0.18},  {"XLF", 52.18, 0.17},
                    {"XLE", 93.25, 0.24},  {"SLV", 34.71, 0.28},  {"SMH", 287.40, 0.31},
                    {"ARKK", 63.09, 0.45}, {"KRE", 58.33, 0.29},  {"USO", 77.12, 0.33},
                    {"EWZ", 28.94, 0.27},  {"FXI", 36.50, 0.26},  {"XLK", 268.71, 0.21},
                    {"GDX", 55.02, 0.35},  {"VXX", 44.80, 0.75}};
        for (size_t i = 0; i < sizeof etfs / sizeof etfs[0] && rc == 0; i++) {
            underlying u = {.spot = etfs[i].spot,
                            .atm_vol = etfs[i].vol,
                            .skew = -0.03,
                            .smile = 0.015,
                            .oi_scale = 3000.0,
                            .index = 1,
                            .daily_days = 7,
                            .weeklies = 6,
                            .monthlies = 8,
                            .leaps = 2};
            snprintf(u.symbol, sizeof u.symbol, "%s", etfs[i].symbol);
            snprintf(u.root_pm, sizeof u.root_pm, "%s", etfs[i].symbol);
            rc = write_underlying(&w, &u, &r, quote_day);
        }
        for (long i = 0; i < n_stocks && rc == 0; i++) {
            underlying u = {0};
            make_ticker(&r, u.symbol, sizeof u.symbol, (size_t)i);
            snprintf(u.root_pm, sizeof u.root_pm, "%s", u.symbol);
            u.spot = round(100.0 * exp(log(45.0) + 1.0 * rng_normal(&r))) / 100.0;
            if (u.spot < 2.0)
                u.spot = 2.0 + rng_uniform(&r);
            u.atm_vol = 0.22 + 0.45 * rng_uniform(&r);
            u.skew = -0.02 + 0.02 * rng_normal(&r);
            u.smile = 0.02;
            u.oi_scale = 40.0 * exp(1.2 * rng_normal(&r));
            u.weeklies = rng_uniform(&r) < 0.3 ? 4 : 0;
            u.monthlies = 5 + (int)(rng_next(&r) % 4);
            u.leaps = rng_uniform(&r) < 0.5 ? 2 : 0;
            rc = write_underlying(&w, &u, &r, quote_day);
        }
    }

    if (json) /* the spot after the options, where CBOE puts it */
        fprintf(out, "\n],\"current_price\":%.2f}}\n", spx.spot);
    if (rc == 0 && fflush(out) != 0)
        rc = -1;
    if (out != stdout && fclose(out) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "gen-chain: write failed: %s\n", strerror(errno));
        return 4;
    }
    fprintf(stderr, "gen-chain: %zu contracts\n", w.contracts);
    return 0;
}
