/*
 * options.c: the command line of SPEC 3 parsed into a cli_options (getopt_long), with the
 * help texts. Every value is checked here, so the commands receive only valid options.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const struct {
    const char *name;
    cli_command command;
    const char *summary;
} commands[] = {
    {"greeks", CLI_CMD_GREEKS, "per-contract T, IV, greeks and exposures"},
    {"gex", CLI_CMD_GEX, "gamma exposure per strike, net GEX and the gamma flip"},
    {"dex", CLI_CMD_DEX, "delta exposure per strike"},
    {"vex", CLI_CMD_VEX, "vanna exposure per strike"},
    {"chex", CLI_CMD_CHEX, "charm exposure per strike"},
    {"exposure", CLI_CMD_EXPOSURE, "GEX, DEX, VEX and CHEX per strike in one table"},
    {"levels", CLI_CMD_LEVELS, "gamma flip, walls, extremes, highest OI, 0DTE magnet"},
    {"summary", CLI_CMD_SUMMARY, "one screen: spot, net GEX, flip, walls, regime, hedging"},
    {"profile", CLI_CMD_PROFILE, "net GEX recomputed over a grid of hypothetical spots"},
    {"expirations", CLI_CMD_EXPIRATIONS, "the file's expirations: contracts, OI, GEX, share"},
    {"carry", CLI_CMD_CARRY, "put-call parity per expiration: forward, implied r and q"},
    {"vix", CLI_CMD_VIX, "volatility index by CBOE's VIX method at 9, 30, 93, 182 days"},
    {"screen", CLI_CMD_SCREEN, "one row per underlying over many files"},
    {"history", CLI_CMD_HISTORY, "a folder of chain files as a time series: levels, IV, RV, VRP"},
    {"validate", CLI_CMD_VALIDATE, "recompute a vendor's numbers and explain differences"},
    {"plot", CLI_CMD_PLOT, "charts: bars, profile, heatmap, dashboard (SVG/PNG/PDF)"},
    {"serve", CLI_CMD_SERVE, "the vendor's API over HTTP from a folder (serve --help)"},
    {"api", CLI_CMD_API, "one answer of that API, printed (api --help)"},
};

const char *cli_command_name(cli_command command)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].command == command)
            return commands[i].name;
    return "?";
}

static const char common_help[] =
    "Options common to every command:\n"
    "  --format table|csv|json  output format (default table; csv is RFC 4180, json the\n"
    "                           vendor's shapes plus a \"meta\" object)\n"
    "  -o, --output FILE        write to FILE (atomically: a failed run leaves FILE as it\n"
    "                           was; screen and history write the files read)\n"
    "  --spot X                 spot price of the underlying (overrides the file)\n"
    "  --now TIME               quote instant, e.g. 2023-09-14T16:31:00-04:00 or\n"
    "                           \"2023-09-14 16:31\" (New York time); overrides the file\n"
    "  --rate R                 risk-free rate, continuously compounded (default 0.045)\n"
    "  --div Q                  dividend yield, continuous (default 0.013)\n"
    "  --carry parity|flat      r and q per expiration from put-call parity on the file's\n"
    "                           mids (default; an expiration without a fit keeps --rate\n"
    "                           and --div), or --rate and --div for every contract\n"
    "  --symbol SYM             keep one underlying of a file that holds several\n"
    "  --expiration DATE|0dte   keep this expiration (repeatable); 0dte: the quote date's\n"
    "  --max-dte N              keep expirations at most N calendar days away\n"
    "  --min-oi N               drop contracts with open interest below N\n"
    "  --exclude-expiration DATE|0dte\n"
    "                           leave out this expiration (repeatable)\n"
    "  --min-bid X              drop contracts bid below X (or without a bid); 0: none\n"
    "  --max-delta D            drop contracts with |delta| > D (0 < D <= 1; 1 drops none)\n"
    "  --greeks model|file      gamma and delta from the model (default) or the file's own\n"
    "                           columns where it has them (missing ones: the model's)\n"
    "  --exercise european|auto|american\n"
    "                           delta and gamma of the exposures by Black-Scholes (default),\n"
    "                           American where the root is (US single stocks, ETFs; never\n"
    "                           Deribit or NSE options, which are European), or\n"
    "                           American for all (several times slower than european)\n"
    "  --gex-unit pct|point|shares\n"
    "                           GEX per 1% move in USD (default), per $1 move in USD, or\n"
    "                           in shares per $1 move\n"
    "  --flip-method profile|strike\n"
    "                           gamma flip by repricing (default) or by interpolating the\n"
    "                           per-strike table (the vendor's live method)\n"
    "  --iv-source auto|file|mid\n"
    "                           the file's IV, else solved from the mid (default auto)\n"
    "  --strict                 the first bad row is an error (default: skip and count)\n"
    "  --multiplier M           shares per contract (default: the file's, else 100)\n"
    "  --input-format NAME      auto, long-csv, cboe-csv, cboe-json, schwab-json,\n"
    "                           tradier-json, polygon-json, opc-json, ibkr-json,\n"
    "                           barchart-csv, nse-csv, deribit-csv, thinkorswim-csv,\n"
    "                           cboe-legacy, optionsdx, optionmetrics-csv\n"
    "  --expiration-of-file DATE\n"
    "                           the expiration of a file that writes it only in its name\n"
    "                           (Barchart, NSE); default: read from the file name\n"
    "  --at TIME                the snapshot quoted at TIME, of a file that holds several\n"
    "  --settle ROOT=am|pm      settlement time of an option root (repeatable)\n"
    "  --jobs N                 threads (default: the online cores): a CSV of more than\n"
    "                           2 MB of rows is read in ranges on N threads, and greeks\n"
    "                           formats its rows on N; the output is the same whatever\n"
    "                           N\n"
    "  --quiet                  no warnings (errors and skipped-row counts still shown)\n"
    "  -h, --help               this help; --version the version\n";

static void help_general(FILE *out)
{
    fputs("usage: gex COMMAND [options] FILE...\n"
          "       gex COMMAND --help | gex --help | gex --version\n\n"
          "Dealer Greek exposure from option chain files (CBOE CSV and JSON, long CSV,\n"
          "yfinance). FILE may be - for standard input.\n\nCommands:\n",
          out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fputs("\n", out);
    fputs(common_help, out);
    fputs("\nExit status: 0 success, 1 validate found differences beyond --tol, 2 usage\n"
          "error, 3 input error, 4 internal or resource error. See gex(1).\n",
          out);
}

static void help_command(FILE *out, cli_command c)
{
    switch (c) {
    case CLI_CMD_GREEKS:
        fputs("usage: gex greeks [options] FILE\n\n"
              "One row per contract: underlying, option_symbol, expiration, strike, type, T\n"
              "(years), iv, iv_source, spot, delta, gamma, vega, vanna, charm (per share, vol\n"
              "as a fraction, charm per year), open_interest, gex, dex, vex, chex, status.\n"
              "Contracts that cannot be computed are listed with their status and empty values.\n",
              out);
        break;
    case CLI_CMD_GEX:
    case CLI_CMD_DEX:
    case CLI_CMD_VEX:
    case CLI_CMD_CHEX:
        fprintf(out,
                "usage: gex %s [options] FILE\n\n"
                "Per-strike call, put and net exposure, summed over the expirations kept,\n"
                "ascending by strike. The JSON has the vendor's field names and nesting.\n",
                cli_command_name(c));
        break;
    case CLI_CMD_EXPOSURE:
        fputs("usage: gex exposure [options] FILE\n\n"
              "GEX, DEX, VEX and CHEX per strike in one table.\n",
              out);
        break;
    case CLI_CMD_LEVELS:
        fputs("usage: gex levels [options] FILE\n\n"
              "gamma_flip, max_positive_gamma, max_negative_gamma, call_wall, put_wall,\n"
              "highest_oi_strike and zero_dte_magnet (empty or null when a level does not\n"
              "exist).\n",
              out);
        break;
    case CLI_CMD_SUMMARY:
        fputs("usage: gex summary [options] FILE\n\n"
              "One screen: spot, net GEX and its label, the gamma flip and the distance to it,\n"
              "the walls and the 0DTE magnet, net DEX, VEX and CHEX, the regime classifier,\n"
              "the dealer hedging estimate for a 1% move and the 0DTE share of GEX.\n",
              out);
        break;
    case CLI_CMD_PROFILE:
        fputs("usage: gex profile [options] [--range PCT] [--points N] FILE\n\n"
              "Net GEX recomputed at hypothetical spots x (IV, T, r, q held) over the grid\n"
              "S (1 - PCT/100) .. S (1 + PCT/100) with N points (default 20 and 81).\n",
              out);
        break;
    case CLI_CMD_EXPIRATIONS:
        fputs("usage: gex expirations [options] FILE\n\n"
              "One row per expiration the file holds, ascending: expiration, dte (calendar\n"
              "days from the quote date), contracts in the file, contracts used, call and put\n"
              "open interest, call, put and net GEX, net DEX, VEX and CHEX, the share of the\n"
              "chain's gross GEX (percent), and why nothing of an expiration is used\n"
              "(expired, filtered or excluded). The table shows the counts, net GEX and the\n"
              "share; CSV and JSON every column. Filters apply to what is used, not to the\n"
              "list: it is the file's.\n",
              out);
        break;
    case CLI_CMD_CARRY:
        fputs("usage: gex carry [options] FILE\n\n"
              "One row per expiration (settlement instant): the put-call parity fit\n"
              "C - P = D (F - K) on the mids of the strikes nearest the spot that quote both\n"
              "sides: T (years), the strikes fitted, the forward F, the discount factor D, the\n"
              "implied rate r = -ln(D)/T and dividend yield q = r - ln(F/S)/T (percent a\n"
              "year), the median residual |C - P - D (F - K)| (USD), and the carry the greeks\n"
              "use: parity (with --carry parity, where the fit holds) or flat (--rate, --div).\n"
              "An expiration with fewer than 3 two-sided strikes has no fit (empty cells).\n",
              out);
        break;
    case CLI_CMD_VIX:
        fputs("usage: gex vix [options] FILE\n\n"
              "CBOE's VIX method on the chain at 9, 30, 93 and 182 days (on an SPX chain:\n"
              "VIX9D, VIX, VIX3M, VIX6M): per tenor the index (percent a year) and its two\n"
              "expirations, the last at most and the first beyond the tenor: T (years), the\n"
              "rate (the expiration's carry, --carry), the forward from the strike of least\n"
              "|C - P|, K0 (the highest strike at or below it), the expiration's volatility\n"
              "and the options used (out of the money with a bid; two zero bids in a row of\n"
              "listed options end a side).\n"
              "A tenor without an expiration on each side has no index, and says so.\n",
              out);
        break;
    case CLI_CMD_SCREEN:
        fputs("usage: gex screen [options] [--sort [-]COLUMN] [--jobs N] FILE...\n\n"
              "One row per underlying (per file, or per underlying of a file holding several):\n"
              "symbol, spot, net_gex, label, gamma_flip, dist_to_flip, confidence,\n"
              "vanna_aligned, call_wall, put_wall, zero_dte_pct. --sort orders by a column,\n"
              "ascending, or descending with a leading '-'. A file that cannot be read is\n"
              "reported and the others are still screened (exit status 3 at the end).\n"
              "--jobs N: files and underlyings are computed on N threads (default: the\n"
              "number of online cores), a single large file is also read on them; the\n"
              "output is the same whatever N.\n",
              out);
        break;
    case CLI_CMD_HISTORY:
        fputs("usage: gex history [options] [--db PATH | --no-db] [--from T] [--to T]\n"
              "                   [--now-from-mtime] [--jobs N] DIR|FILE...\n\n"
              "One row per underlying and quote instant, in time order: spot, net GEX, DEX,\n"
              "VEX, CHEX, gamma flip, walls, max +/- gamma, 0DTE share, ATM and 25-delta IV at\n"
              "30 days, realized volatility over 5, 10, 20, 30 trading days, VRP with its\n"
              "z-score and percentile, open interest and its change. A folder stands for its\n"
              "*.csv, *.json and *.dat files. The snapshots are kept in an SQLite store\n"
              "(default DIR/.gex-history.sqlite; --db PATH, --no-db) so that a second run reads\n"
              "only new or changed files. --symbol keeps one underlying; --from and --to (a\n"
              "date or an instant, New York time by default) bound the rows shown. A file\n"
              "without a quote instant of its own is refused unless --now-from-mtime dates it\n"
              "by its modification time. Two files with the same underlying and instant: the\n"
              "newer file wins (a warning names both). Exit status 3 when a file could not be\n"
              "read.\n",
              out);
        break;
    case CLI_CMD_VALIDATE:
        fputs("usage: gex validate [options] CHAIN [--vendor RESPONSE.json]... [--tol REL]\n"
              "       gex validate [options] CHAIN\n"
              "       gex validate [options] --vendor RESPONSE.json...\n\n"
              "With --vendor: compare the vendor's responses (gex, dex, vex, chex and levels,\n"
              "recognised from their keys) with gex's recomputation from CHAIN.\n"
              "CHAIN alone: compare the chain's own delta and gamma columns with the\n"
              "recomputation from the chain's IV, and find the time convention they fit.\n"
              "--vendor alone: check the vendor's levels against its own per-strike table.\n"
              "--tol: relative tolerance (default 0.01). Exit 0 within it, 1 beyond.\n",
              out);
        break;
    case CLI_CMD_PLOT:
        fputs("usage: gex plot [options] [--kind KIND] [--range PCT] -o FILE.svg|.png|.pdf FILE\n\n"
              "Draws a chart, in the format of -o FILE's extension. --kind gex (default),\n"
              "dex, vex, chex: per-strike bars, calls and puts, the net as a line; profile:\n"
              "the GEX profile P(x) and its zero crossing; heatmap: net GEX by strike and\n"
              "expiration, a colour a cell (the nearest 20 expirations with a contract used);\n"
              "dashboard: GEX bars, the profile and the net exposures, regime and levels on\n"
              "one page. The spot, gamma flip, walls and 0DTE magnet are marked with their\n"
              "values, or listed in the legend as off chart. --range: strikes within PCT\n"
              "percent of the spot (default: the narrowest of 2.5 to 50 holding 24).\n"
              "--kind history [--db PATH | --no-db] [--from T] [--to T] [--now-from-mtime]\n"
              "(FILE: folders or files, read as gex history reads them, with --symbol for one\n"
              "underlying of several): the spot, gamma flip and walls over time, and net GEX\n"
              "as bars beneath. As gex history, it keeps the snapshots in an SQLite store:\n"
              ".gex-history.sqlite in the first folder given, else in the first file's folder\n"
              "(--db PATH elsewhere, --no-db none).\n",
              out);
        break;
    default:
        help_general(out);
        return;
    }
    /* plot takes every common option but --format (the chart's format is -o's extension) */
    if (c == CLI_CMD_PLOT) {
        fputs("\nCommon options (gex --help explains each; not --format, which -o's extension\n"
              "replaces): -o, --spot, --now, --rate, --div, --carry, --symbol, --expiration,\n"
              "--exclude-expiration, --max-dte, --min-oi, --min-bid, --max-delta, --exercise,\n"
              "--gex-unit, --flip-method, --iv-source, --greeks, --strict, --multiplier,\n"
              "--input-format, --expiration-of-file, --at, --settle, --jobs, --quiet.\n",
              out);
        return;
    }
    fputs("\nCommon options (gex --help explains each): --format, -o, --spot, --now, --rate,\n"
          "--div, --carry, --symbol, --expiration, --exclude-expiration, --max-dte,\n"
          "--min-oi, --min-bid, --max-delta, --exercise, --gex-unit, --flip-method,\n"
          "--iv-source, --greeks, --strict, --multiplier, --input-format,\n"
          "--expiration-of-file, --at, --settle, --jobs, --quiet.\n",
          out);
}

enum {
    OPT_FORMAT = 1000,
    OPT_SPOT,
    OPT_NOW,
    OPT_RATE,
    OPT_DIV,
    OPT_SYMBOL,
    OPT_EXPIRATION,
    OPT_MAX_DTE,
    OPT_MIN_OI,
    OPT_GEX_UNIT,
    OPT_FLIP_METHOD,
    OPT_IV_SOURCE,
    OPT_STRICT,
    OPT_MULTIPLIER,
    OPT_INPUT_FORMAT,
    OPT_EXPIRATION_OF_FILE,
    OPT_AT,
    OPT_SETTLE,
    OPT_VERSION,
    OPT_VENDOR,
    OPT_TOL,
    OPT_SORT,
    OPT_RANGE,
    OPT_POINTS,
    OPT_KIND,
    OPT_JOBS,
    OPT_QUIET,
    OPT_EXCLUDE_EXPIRATION,
    OPT_MIN_BID,
    OPT_MAX_DELTA,
    OPT_DB,
    OPT_NO_DB,
    OPT_NOW_FROM_MTIME,
    OPT_FROM,
    OPT_TO,
    OPT_GREEKS,
    OPT_CARRY,
    OPT_EXERCISE,
};

static const struct option long_options[] = {
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"spot", required_argument, NULL, OPT_SPOT},
    {"now", required_argument, NULL, OPT_NOW},
    {"rate", required_argument, NULL, OPT_RATE},
    {"div", required_argument, NULL, OPT_DIV},
    {"symbol", required_argument, NULL, OPT_SYMBOL},
    {"expiration", required_argument, NULL, OPT_EXPIRATION},
    {"max-dte", required_argument, NULL, OPT_MAX_DTE},
    {"min-oi", required_argument, NULL, OPT_MIN_OI},
    {"greeks", required_argument, NULL, OPT_GREEKS},
    {"carry", required_argument, NULL, OPT_CARRY},
    {"exercise", required_argument, NULL, OPT_EXERCISE},
    {"gex-unit", required_argument, NULL, OPT_GEX_UNIT},
    {"flip-method", required_argument, NULL, OPT_FLIP_METHOD},
    {"iv-source", required_argument, NULL, OPT_IV_SOURCE},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"multiplier", required_argument, NULL, OPT_MULTIPLIER},
    {"input-format", required_argument, NULL, OPT_INPUT_FORMAT},
    {"expiration-of-file", required_argument, NULL, OPT_EXPIRATION_OF_FILE},
    {"at", required_argument, NULL, OPT_AT},
    {"settle", required_argument, NULL, OPT_SETTLE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"vendor", required_argument, NULL, OPT_VENDOR},
    {"tol", required_argument, NULL, OPT_TOL},
    {"sort", required_argument, NULL, OPT_SORT},
    {"range", required_argument, NULL, OPT_RANGE},
    {"points", required_argument, NULL, OPT_POINTS},
    {"kind", required_argument, NULL, OPT_KIND},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"exclude-expiration", required_argument, NULL, OPT_EXCLUDE_EXPIRATION},
    {"min-bid", required_argument, NULL, OPT_MIN_BID},
    {"max-delta", required_argument, NULL, OPT_MAX_DELTA},
    {"db", required_argument, NULL, OPT_DB},
    {"no-db", no_argument, NULL, OPT_NO_DB},
    {"now-from-mtime", no_argument, NULL, OPT_NOW_FROM_MTIME},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

static int usage_error(const char *fmt, ...)
{
    /* through cli_error: an option's value holding a line end is shown escaped (messages.c) */
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    cli_error(NULL, 0, "%s (gex --help lists the options)", text);
    return CLI_EXIT_USAGE;
}

/* The optimal string alignment distance of a and b (insertions, deletions, substitutions and
 * transpositions of neighbours each count 1): "fromat" is 1 from "format". Names longer than 31
 * bytes are far from every name gex has (CLI_NAME_FAR). */
#define CLI_NAME_FAR 99
static int name_distance(const char *a, const char *b)
{
    const size_t n = strlen(a), m = strlen(b);
    if (n > 31 || m > 31)
        return CLI_NAME_FAR;
    int d[32][32];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            const int cost = a[i - 1] != b[j - 1];
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

const char *cli_nearest_name(const char *typed, const void *names, size_t stride, size_t n)
{
    const char *best = NULL;
    int best_d = CLI_NAME_FAR;
    for (size_t i = 0; i < n; i++) {
        const char *name = *(const char *const *)((const char *)names + i * stride);
        if (name == NULL)
            continue;
        const int d = name_distance(typed, name);
        if (d < best_d) {
            best_d = d;
            best = name;
        }
    }
    const size_t len = strlen(typed);
    return best != NULL && best_d <= 2 && (size_t)best_d * 2 < len ? best : NULL;
}

/* A number filling the whole argument. One too small for a double (1e-320, 1e-400) is still a
 * number: strtod's nearest, subnormal or 0, for the caller's range check. One too large
 * (1e400) is out of range whatever the option: the callers' bounds are all finite, and those
 * with none (--rate, --div) take any finite value (SPEC 1.2). */
static int parse_double(const char *opt, const char *s, double *out)
{
    char *end = NULL;
    const double v = strtod(s, &end);
    if (!gex__decimal_text(s, strlen(s)) || end == s || *end != '\0')
        return usage_error("%s: '%s' is not a number", opt, s);
    *out = v;
    return -1;
}

/* The check of an option without an upper bound of its own: a value past the largest double
 * (strtod's +-HUGE_VAL) is out of range. */
static int refuse_overflow(const char *opt, const char *s, double v, double lo)
{
    if (isfinite(v))
        return -1;
    return usage_error("%s: '%s' is out of range (%.6g to %.6g)", opt, s, lo, DBL_MAX);
}

static int parse_int(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    const long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE)
        return usage_error("%s: '%s' is not a whole number", opt, s);
    if (v < lo || v > hi) {
        char range[64];
        snprintf(range, sizeof range, "between %ld and %ld", lo, hi);
        return usage_error("%s: must be %s", opt, range);
    }
    *out = v;
    return -1;
}

/* --from and --to: a date (New York: its first or its last second) or an instant (a time of
 * day with a zone, even 00:00:00Z, which gex_time_parse_date takes for a date; a zoneless
 * midnight is a date, as pandas writes one: gex_time_instant_is_day). */
static int parse_bound(const char *opt, const char *arg, int end, int64_t *out)
{
    int32_t day = 0;
    switch (gex_time_parse_day_or_instant(arg, strlen(arg), &day, out)) {
    case 1:
        *out = end ? gex_time_eastern_to_utc(day + 1, 0) - 1 : gex_time_eastern_to_utc(day, 0);
        return -1;
    case 2:
        return -1;
    default:
        break;
    }
    return usage_error("%s: '%s' is not a date (YYYY-MM-DD) or a date and time", opt, arg);
}

/* The options of the read (gex_read_options): which underlying and which snapshot of the file,
 * what the file does not say (spot, multiplier, format, expiration, settlement), and whether a
 * bad row is an error. */
static int parse_read_option(int c, const char *arg, cli_options *o)
{
    double d = 0.0;
    int rc = -1;
    switch (c) {
    case OPT_SPOT:
        if ((rc = parse_double("--spot", arg, &d)) >= 0)
            return rc;
        if (!(d > 0.0))
            return usage_error("--spot: '%s' must be greater than 0", arg);
        if (d > GEX_PRICE_MAX || d < GEX_PRICE_MIN)
            return usage_error("--spot: '%s' is out of range (%.6f to %.0f)", arg, GEX_PRICE_MIN,
                               GEX_PRICE_MAX);
        o->read.spot = d;
        return -1;
    case OPT_SYMBOL:
        if (arg[0] == '\0')
            return usage_error("--symbol: the symbol is empty");
        if (strlen(arg) > GEX_SYMBOL_MAX)
            return usage_error("--symbol: the symbol is %zu bytes long, longer than the %d bytes "
                               "an underlying's name may hold",
                               strlen(arg), GEX_SYMBOL_MAX);
        o->read.symbol = arg;
        return -1;
    case OPT_STRICT:
        o->read.strict = 1;
        return -1;
    case OPT_MULTIPLIER:
        if ((rc = parse_double("--multiplier", arg, &d)) >= 0)
            return rc;
        if (!(d > 0.0))
            return usage_error("--multiplier: '%s' must be greater than 0", arg);
        if (d > GEX_MULTIPLIER_MAX)
            return usage_error("--multiplier: '%s' is out of range (at most %.0f)", arg,
                               GEX_MULTIPLIER_MAX);
        o->read.multiplier = d;
        return -1;
    case OPT_INPUT_FORMAT:
        if (gex_format_parse(arg, &o->read.format) != GEX_OK)
            return usage_error("--input-format: '%s' is not one of auto, long-csv, cboe-csv, "
                               "cboe-json, schwab-json, tradier-json, polygon-json, opc-json, "
                               "ibkr-json, barchart-csv, nse-csv, deribit-csv, thinkorswim-csv, "
                               "cboe-legacy, optionsdx, optionmetrics-csv",
                               arg);
        return -1;
    case OPT_AT: {
        /* the forms of --now (the man page's promise): @SECONDS too, and a date alone refused,
         * which would name the midnight before it, no snapshot's instant */
        int64_t utc = 0;
        gex_instant_info info;
        const int st = gex_time_parse_now(arg, strlen(arg), &utc, &info);
        if (st != GEX_OK && info.problem != NULL)
            return usage_error("--at: '%s': %s", arg, info.problem);
        if (st != GEX_OK)
            return usage_error("--at: '%s' is not a date and time (for example "
                               "2023-09-14T16:00:00Z, \"2023-09-14 16:00\" in New York time, or "
                               "@1694721600)",
                               arg);
        o->read.has_at = 1;
        o->read.at = utc;
        return -1;
    }
    case OPT_EXPIRATION_OF_FILE: {
        int32_t day = 0;
        if (gex_time_parse_date(arg, strlen(arg), &day) != GEX_OK || day == 0)
            return usage_error("--expiration-of-file: '%s' is not a date (YYYY-MM-DD)", arg);
        o->read.file_expiration = day;
        return -1;
    }
    case OPT_SETTLE: {
        const char *eq = strchr(arg, '=');
        size_t n = o->read.n_settle;
        if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof o->settle_root[0] ||
            (strcasecmp(eq + 1, "am") != 0 && strcasecmp(eq + 1, "pm") != 0))
            return usage_error("--settle: '%s' is not ROOT=am or ROOT=pm", arg);
        if (n >= CLI_MAX_REPEAT)
            return usage_error("--settle: at most 64 roots");
        memcpy(o->settle_root[n], arg, (size_t)(eq - arg));
        o->settle_root[n][eq - arg] = '\0';
        o->settle[n].root = o->settle_root[n];
        o->settle[n].style = strcasecmp(eq + 1, "am") == 0 ? GEX_SETTLE_AM : GEX_SETTLE_PM;
        o->read.n_settle = n + 1;
        return -1;
    }
    default: /* parse_option sends none other */
        return CLI_EXIT_USAGE;
    }
}

/* The options of the preparation (gex_prepare_options): the quote instant, the carry and
 * where the IVs come from. */
static int parse_prepare_option(int c, const char *arg, cli_options *o)
{
    double d = 0.0;
    int rc = -1;
    switch (c) {
    case OPT_NOW: {
        int64_t utc = 0;
        gex_instant_info info;
        const int st = gex_time_parse_now(arg, strlen(arg), &utc, &info);
        if (st != GEX_OK && info.problem != NULL)
            return usage_error("--now: '%s': %s", arg, info.problem);
        if (st != GEX_OK)
            return usage_error("--now: '%s' is not a date and time (for example "
                               "2023-09-14T16:31:00-04:00, \"2023-09-14 16:00\" in New York "
                               "time, or @1694723460)",
                               arg);
        o->prepare.has_now = 1;
        o->prepare.now = utc;
        /* the instant of a file that carries none: --at must reach it (SPEC 2.9) */
        o->read.has_now = 1;
        o->read.now = utc;
        return -1;
    }
    case OPT_RATE:
        if ((rc = parse_double("--rate", arg, &d)) >= 0 ||
            (rc = refuse_overflow("--rate", arg, d, -DBL_MAX)) >= 0)
            return rc;
        o->prepare.rate = d;
        return -1;
    case OPT_DIV:
        if ((rc = parse_double("--div", arg, &d)) >= 0 ||
            (rc = refuse_overflow("--div", arg, d, -DBL_MAX)) >= 0)
            return rc;
        o->prepare.div = d;
        return -1;
    case OPT_CARRY:
        if (strcmp(arg, "flat") == 0)
            o->prepare.carry = GEX_CARRY_FLAT;
        else if (strcmp(arg, "parity") == 0)
            o->prepare.carry = GEX_CARRY_PARITY;
        else
            return usage_error("--carry: '%s' is not one of parity, flat", arg);
        return -1;
    case OPT_IV_SOURCE:
        if (strcmp(arg, "auto") == 0)
            o->prepare.iv_mode = GEX_IV_MODE_AUTO;
        else if (strcmp(arg, "file") == 0)
            o->prepare.iv_mode = GEX_IV_MODE_FILE;
        else if (strcmp(arg, "mid") == 0)
            o->prepare.iv_mode = GEX_IV_MODE_MID;
        else
            return usage_error("--iv-source: '%s' is not one of auto, file, mid", arg);
        return -1;
    default: /* parse_option sends none other */
        return CLI_EXIT_USAGE;
    }
}

/* The options that choose the contracts the exposures sum (gex_exposure_options): expirations,
 * open interest, bid and delta. */
static int parse_selection_option(int c, const char *arg, cli_options *o, int *zero_dte_seen)
{
    double d = 0.0;
    long l = 0;
    int rc = -1;
    switch (c) {
    case OPT_EXPIRATION: {
        if (strcasecmp(arg, "0dte") == 0) {
            o->analysis.exposure.zero_dte = 1;
            *zero_dte_seen = 1;
            return -1;
        }
        int32_t day = 0;
        if (gex_time_parse_date(arg, strlen(arg), &day) != GEX_OK)
            return usage_error("--expiration: '%s' is not a date (YYYY-MM-DD) or 0dte", arg);
        if (o->analysis.exposure.n_expirations >= CLI_MAX_REPEAT)
            return usage_error("--expiration: at most 64 dates");
        o->expirations[o->analysis.exposure.n_expirations++] = day;
        return -1;
    }
    case OPT_MAX_DTE:
        if ((rc = parse_int("--max-dte", arg, 0, 100000, &l)) >= 0)
            return rc;
        o->analysis.exposure.max_dte = (int)l;
        return -1;
    case OPT_MIN_OI:
        if ((rc = parse_double("--min-oi", arg, &d)) >= 0)
            return rc;
        if (d < 0.0)
            return usage_error("--min-oi: '%s' must not be negative", arg);
        if ((rc = refuse_overflow("--min-oi", arg, d, 0.0)) >= 0)
            return rc;
        o->analysis.exposure.min_oi = d;
        return -1;
    case OPT_EXCLUDE_EXPIRATION: {
        gex_exposure_options *x = &o->analysis.exposure;
        if (strcasecmp(arg, "0dte") == 0) {
            x->exclude_zero_dte = 1;
            return -1;
        }
        int32_t day = 0;
        if (gex_time_parse_date(arg, strlen(arg), &day) != GEX_OK)
            return usage_error("--exclude-expiration: '%s' is not a date (YYYY-MM-DD) or 0dte",
                               arg);
        if (x->n_exclude_expirations >= CLI_MAX_REPEAT)
            return usage_error("--exclude-expiration: at most 64 dates");
        o->exclude_expirations[x->n_exclude_expirations++] = day;
        return -1;
    }
    case OPT_MIN_BID:
        if ((rc = parse_double("--min-bid", arg, &d)) >= 0)
            return rc;
        if (d < 0.0)
            return usage_error("--min-bid: '%s' must not be negative", arg);
        if ((rc = refuse_overflow("--min-bid", arg, d, 0.0)) >= 0)
            return rc;
        o->analysis.exposure.min_bid = d;
        return -1;
    case OPT_MAX_DELTA:
        if ((rc = parse_double("--max-delta", arg, &d)) >= 0)
            return rc;
        if (!(d > 0.0 && d <= 1.0))
            return usage_error("--max-delta: '%s' must be above 0 and at most 1 (|delta| of a "
                               "contract, per share)",
                               arg);
        o->analysis.exposure.max_abs_delta = d;
        return -1;
    default: /* parse_option sends none other */
        return CLI_EXIT_USAGE;
    }
}

/* The options that say how the exposures and the flip are computed: greeks, exercise, unit,
 * flip method. */
static int parse_method_option(int c, const char *arg, cli_options *o)
{
    switch (c) {
    case OPT_GREEKS:
        if (strcmp(arg, "model") == 0)
            o->analysis.exposure.greeks_from_file = 0;
        else if (strcmp(arg, "file") == 0)
            o->analysis.exposure.greeks_from_file = 1;
        else
            return usage_error("--greeks: '%s' is not one of model, file", arg);
        return -1;
    case OPT_EXERCISE:
        if (gex_exposure_exercise_parse(arg, &o->analysis.exposure.exercise) != GEX_OK)
            return usage_error("--exercise: '%s' is not one of european, auto, american", arg);
        return -1;
    case OPT_GEX_UNIT:
        if (gex_gex_unit_parse(arg, &o->analysis.exposure.gex_unit) != GEX_OK)
            return usage_error("--gex-unit: '%s' is not one of pct, point, shares", arg);
        return -1;
    case OPT_FLIP_METHOD:
        if (gex_flip_method_parse(arg, &o->analysis.flip_method) != GEX_OK)
            return usage_error("--flip-method: '%s' is not one of profile, strike", arg);
        return -1;
    default: /* parse_option sends none other */
        return CLI_EXIT_USAGE;
    }
}

/* The options of one command or a few (check_scope holds them to those): validate's --vendor
 * and --tol, screen's --sort, profile's and plot's --range, --points and --kind, history's
 * --db, --no-db, --now-from-mtime, --from and --to. */
static int parse_command_option(int c, const char *arg, cli_options *o)
{
    double d = 0.0;
    long l = 0;
    int rc = -1;
    switch (c) {
    case OPT_VENDOR:
        if (o->n_vendor >= CLI_MAX_REPEAT)
            return usage_error("--vendor: at most 64 files");
        o->vendor[o->n_vendor++] = arg;
        return -1;
    case OPT_TOL:
        if ((rc = parse_double("--tol", arg, &d)) >= 0)
            return rc;
        if (!(d >= 0.0))
            return usage_error("--tol: '%s' must not be negative", arg);
        if ((rc = refuse_overflow("--tol", arg, d, 0.0)) >= 0)
            return rc;
        o->tol = d;
        return -1;
    case OPT_SORT:
        o->sort_descending = arg[0] == '-';
        o->sort = arg + (arg[0] == '-');
        return -1;
    case OPT_RANGE:
        if ((rc = parse_double("--range", arg, &d)) >= 0)
            return rc;
        if (!(d > 0.0 && d < 100.0))
            return usage_error("--range: '%s' must be above 0 and below 100 (percent)", arg);
        o->range_pct = d;
        o->plot_range_pct = d;
        return -1;
    case OPT_POINTS:
        if ((rc = parse_int("--points", arg, 2, 100000, &l)) >= 0)
            return rc;
        o->points = (int)l;
        return -1;
    case OPT_KIND:
        o->plot_history = strcasecmp(arg, "history") == 0;
        if (o->plot_history)
            return -1; /* drawn from gex history's rows, not from one analysis */
        if ((rc = cli_plot_parse(arg, &o->plot_kind, NULL, NULL)) < 0)
            return CLI_EXIT_INTERNAL;
        if (rc > 0)
            return usage_error("--kind: '%s' is not one of gex, dex, vex, chex, profile, "
                               "dashboard, heatmap, history",
                               arg);
        return -1;
    case OPT_DB:
        if (arg[0] == '\0')
            return usage_error("--db: the path is empty");
        o->db = arg;
        return -1;
    case OPT_NO_DB:
        o->no_db = 1;
        return -1;
    case OPT_NOW_FROM_MTIME:
        o->now_from_mtime = 1;
        return -1;
    case OPT_FROM:
        o->has_from = 1;
        return parse_bound("--from", arg, 0, &o->from);
    case OPT_TO:
        o->has_to = 1;
        return parse_bound("--to", arg, 1, &o->to);
    default: /* parse_option sends none other */
        return CLI_EXIT_USAGE;
    }
}

/* The options of the run and its output: the format, the output file, the threads, the
 * warnings. */
static int parse_output_option(int c, const char *arg, cli_options *o)
{
    long l = 0;
    int rc = -1;
    switch (c) {
    case OPT_FORMAT:
        if (strcmp(arg, "table") == 0)
            o->format = GEX__OUT_TABLE;
        else if (strcmp(arg, "csv") == 0)
            o->format = GEX__OUT_CSV;
        else if (strcmp(arg, "json") == 0)
            o->format = GEX__OUT_JSON;
        else
            return usage_error("--format: '%s' is not one of table, csv, json", arg);
        return -1;
    case 'o':
        o->output = arg;
        return -1;
    case OPT_JOBS:
        if ((rc = parse_int("--jobs", arg, 1, CLI_MAX_JOBS, &l)) >= 0)
            return rc;
        o->jobs = (int)l;
        return -1;
    case OPT_QUIET:
        o->quiet = 1;
        return -1;
    default: /* parse_option sends none other */
        return CLI_EXIT_USAGE;
    }
}

/* One option into o: each kind of option goes to its own parser, in the order the run uses
 * them. A status (>= 0) to exit with, or -1. */
static int parse_option(int c, const char *arg, cli_options *o, int *zero_dte_seen)
{
    switch (c) {
    case OPT_SPOT:
    case OPT_SYMBOL:
    case OPT_STRICT:
    case OPT_MULTIPLIER:
    case OPT_INPUT_FORMAT:
    case OPT_AT:
    case OPT_EXPIRATION_OF_FILE:
    case OPT_SETTLE:
        return parse_read_option(c, arg, o);
    case OPT_NOW:
    case OPT_RATE:
    case OPT_DIV:
    case OPT_CARRY:
    case OPT_IV_SOURCE:
        return parse_prepare_option(c, arg, o);
    case OPT_EXPIRATION:
    case OPT_MAX_DTE:
    case OPT_MIN_OI:
    case OPT_EXCLUDE_EXPIRATION:
    case OPT_MIN_BID:
    case OPT_MAX_DELTA:
        return parse_selection_option(c, arg, o, zero_dte_seen);
    case OPT_GREEKS:
    case OPT_EXERCISE:
    case OPT_GEX_UNIT:
    case OPT_FLIP_METHOD:
        return parse_method_option(c, arg, o);
    case OPT_VENDOR:
    case OPT_TOL:
    case OPT_SORT:
    case OPT_RANGE:
    case OPT_POINTS:
    case OPT_KIND:
    case OPT_DB:
    case OPT_NO_DB:
    case OPT_NOW_FROM_MTIME:
    case OPT_FROM:
    case OPT_TO:
        return parse_command_option(c, arg, o);
    case OPT_FORMAT:
    case 'o':
    case OPT_JOBS:
    case OPT_QUIET:
        return parse_output_option(c, arg, o);
    default:
        return CLI_EXIT_USAGE;
    }
}

/* A warning for a --rate or --div no market has: rates and yields are fractions a year (0.045
 * for 4.5%), so a value typed in percent is 100 times too large. Above |0.25| (25% a year) a
 * value is far outside every market since 1980 but can be a deliberate stress; from 1 on, it is
 * most likely percent; above 100 it cannot be meant either way. gex computes with the value
 * given (a stress test may mean it) and says what was probably meant. */
static void warn_carry(const char *opt, double v)
{
    const double a = fabs(v);
    if (!(a > 0.25) && !(v < -0.05))
        return;
    if (a > 100.0) /* no percent: 100 v is inf from 1.8e306 on */
        cli_error(NULL, 0,
                  "warning: %s %g is %s10000%% a year, which no market has: %s is a fraction "
                  "a year (0.045 for 4.5%%)",
                  opt, v, v < 0 ? "below -" : "above ", opt);
    else if (a >= 1.0)
        cli_error(NULL, 0,
                  "warning: %s %g is %g%% a year: %s is a fraction a year, so for %g%% give "
                  "%s %g",
                  opt, v, 100.0 * v, opt, v, opt, v / 100.0);
    else
        cli_error(NULL, 0,
                  "warning: %s %g is %g%% a year, far outside the usual range (about -0.01 to "
                  "0.1); computing with it as given",
                  opt, v, 100.0 * v);
}

/* seen_profile's bits: --range (which plot takes too) and --points were given. */
#define SEEN_RANGE  1
#define SEEN_POINTS 2

/* Options that only some commands take. */
static int check_scope(const cli_options *o, int seen_validate, int seen_sort, int seen_profile,
                       int seen_history)
{
    const char *name = cli_command_name(o->command);
    if (seen_history && o->command != CLI_CMD_HISTORY && !o->plot_history)
        return usage_error("--db, --no-db, --from, --to and --now-from-mtime apply to history "
                           "and plot --kind history only, not to %s",
                           name);
    if (o->db != NULL && o->no_db)
        return usage_error("--db and --no-db contradict each other: give one");
    if (o->has_from && o->has_to && o->from > o->to)
        return usage_error("--from is after --to: nothing can be shown");
    if (seen_validate && o->command != CLI_CMD_VALIDATE)
        return usage_error("--vendor and --tol apply to validate only, not to %s", name);
    if (seen_sort && o->command != CLI_CMD_SCREEN)
        return usage_error("--sort applies to screen only, not to %s", name);
    const int range =
        (seen_profile & SEEN_RANGE) && o->command != CLI_CMD_PROFILE && o->command != CLI_CMD_PLOT;
    const int points = (seen_profile & SEEN_POINTS) && o->command != CLI_CMD_PROFILE;
    if (range && points)
        return usage_error("--range applies to profile and plot only, --points to profile only, "
                           "not to %s",
                           name);
    if (range)
        return usage_error("--range applies to profile and plot only, not to %s", name);
    if (points)
        return usage_error("--points applies to profile only, not to %s", name);
    return -1;
}

static int check_files(const cli_options *o)
{
    const char *name = cli_command_name(o->command);
    switch (o->command) {
    case CLI_CMD_SCREEN:
        if (o->n_files == 0)
            return usage_error("screen needs at least one FILE or folder");
        return -1;
    case CLI_CMD_HISTORY:
        if (o->n_files == 0)
            return usage_error("history needs a folder or FILEs");
        return -1;
    case CLI_CMD_VALIDATE:
        if (o->n_files == 0 && o->n_vendor == 0)
            return usage_error("validate needs a CHAIN file, --vendor files, or both");
        if (o->n_files > 1)
            return usage_error("validate takes one CHAIN file (vendor responses go after "
                               "--vendor)");
        return -1;
    case CLI_CMD_PLOT:
        if (o->plot_history && o->n_files == 0)
            return usage_error("plot --kind history needs a folder or FILEs");
        if (o->plot_history)
            return -1;
        /* fall through */
    default:
        if (o->n_files == 0)
            return usage_error("%s needs a FILE (- for standard input)", name);
        if (o->n_files > 1)
            return usage_error("%s takes one FILE; screen takes several", name);
        return -1;
    }
}

/* Whether the regular file out (stat'ed) is path, or one of the chain files of folder path. */
static int output_is_input(const struct stat *out, const char *path, const char **which, char *buf,
                           size_t buf_size)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return 0;
    if (!S_ISDIR(sb.st_mode)) {
        *which = path;
        return sb.st_dev == out->st_dev && sb.st_ino == out->st_ino;
    }
    DIR *d = opendir(path);
    if (d == NULL)
        return 0;
    int found = 0;
    const size_t len = strlen(path);
    const int slash = len > 0 && path[len - 1] == '/';
    for (struct dirent *e; !found && (e = readdir(d)) != NULL;) {
        if (!cli_is_chain_name(e->d_name))
            continue;
        snprintf(buf, buf_size, "%s%s%s", path, slash ? "" : "/", e->d_name);
        found = stat(buf, &sb) == 0 && sb.st_dev == out->st_dev && sb.st_ino == out->st_ino;
    }
    closedir(d);
    *which = buf;
    return found;
}

/* Inputs that cannot be read as given: standard input twice (it can be read once, and screen
 * and history read their files on several threads), and -o naming an input (the output would
 * replace the chain it was computed from). */
static int check_inputs(const cli_options *o)
{
    size_t n_stdin = 0;
    for (size_t i = 0; i < o->n_files; i++)
        n_stdin += strcmp(o->files[i], "-") == 0;
    if (n_stdin > 1)
        return usage_error("standard input can be read once: give - at most once");
    struct stat out;
    if (o->output == NULL || strcmp(o->output, "-") == 0 || stat(o->output, &out) != 0 ||
        !S_ISREG(out.st_mode))
        return -1;
    char buf[4096];
    const char *which = NULL;
    for (size_t i = 0; i < o->n_files + o->n_vendor; i++) {
        const char *path = i < o->n_files ? o->files[i] : o->vendor[i - o->n_files];
        if (strcmp(path, "-") != 0 && output_is_input(&out, path, &which, buf, sizeof buf))
            return usage_error("-o %s is the input %s: give another output file (the output "
                               "would replace it)",
                               o->output, which);
    }
    return -1;
}

int cli_options_parse(int argc, char **argv, cli_options *o)
{
    memset(o, 0, sizeof *o);
    gex_prepare_options_default(&o->prepare);
    /* SPEC 1.2: the program's default is the chain's own carry (doc/market.md measures why) */
    o->prepare.carry = GEX_CARRY_PARITY;
    gex_analysis_options_default(&o->analysis);
    o->analysis.exposure.expirations = o->expirations;
    o->analysis.exposure.exclude_expirations = o->exclude_expirations;
    o->read.settle = o->settle;
    o->tol = GEX_VALIDATE_DEFAULT_TOL;
    o->range_pct = 20.0;
    o->points = 81;
    /* --jobs: every online core (a screen of many underlyings or files keeps them all busy) */
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o->jobs = cores < 1 ? 1 : cores > CLI_MAX_JOBS ? CLI_MAX_JOBS : (int)cores;

    if (argc < 2) {
        help_general(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        help_general(stdout);
        return cli_stdout_done();
    }
    if (strcmp(first, "--version") == 0) {
        printf("gex %s\n", gex_version());
        return cli_stdout_done();
    }
    if (first[0] == '-')
        return usage_error("the command comes first: gex COMMAND [options] FILE...");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(first, commands[i].name) == 0)
            o->command = commands[i].command;
    const char *near = o->command != CLI_CMD_NONE
                           ? NULL
                           : cli_nearest_name(first, commands, sizeof commands[0],
                                              sizeof commands / sizeof commands[0]);
    if (near != NULL)
        return usage_error("'%s' is not a command: did you mean %s?", first, near);
    if (o->command == CLI_CMD_NONE)
        return usage_error(
            "'%s' is not a command: greeks, gex, dex, vex, chex, exposure, "
            "levels, summary, profile, expirations, carry, vix, screen, history, validate, "
            "plot, serve or api",
            first);
    o->command_name = first;

    int seen_validate = 0, seen_sort = 0, seen_profile = 0, seen_format = 0, seen_history = 0;
    int zero_dte = 0;
    int sub_argc = argc - 1;
    char **sub_argv = argv + 1;
    optind = 1;
    opterr = 0;
    for (;;) {
        int index = 0;
        const int c = getopt_long(sub_argc, sub_argv, ":o:h", long_options, &index);
        if (c == -1)
            break;
        if (c == 'h') {
            help_command(stdout, o->command);
            return cli_stdout_done();
        }
        if (c == OPT_VERSION) {
            printf("gex %s\n", gex_version());
            return cli_stdout_done();
        }
        if (c == '?') {
            const char *bad = sub_argv[optind - 1];
            if (optopt != 0 && optopt < 256) {
                char s[3] = {'-', (char)optopt, '\0'};
                return usage_error("unknown option '%s'", s);
            }
            /* "--name=value" or "--name": suggest the nearest long option */
            if (bad[0] == '-' && bad[1] == '-') {
                char typed[64];
                snprintf(typed, sizeof typed, "%.*s", (int)strcspn(bad + 2, "="), bad + 2);
                const char *guess = cli_nearest_name(typed, long_options, sizeof long_options[0],
                                                     sizeof long_options / sizeof long_options[0]);
                if (guess != NULL)
                    return usage_error("unknown option '%s': did you mean --%s?", bad, guess);
            }
            return usage_error("unknown option '%s'", bad);
        }
        if (c == ':')
            return usage_error("option '%s' needs a value", sub_argv[optind - 1]);
        seen_validate |= c == OPT_VENDOR || c == OPT_TOL;
        seen_sort |= c == OPT_SORT;
        seen_format |= c == OPT_FORMAT;
        seen_history |= c == OPT_DB || c == OPT_NO_DB || c == OPT_FROM || c == OPT_TO ||
                        c == OPT_NOW_FROM_MTIME;
        /* --range also sets plot's strike window (check_scope). */
        seen_profile |= (c == OPT_RANGE ? SEEN_RANGE : 0) | (c == OPT_POINTS ? SEEN_POINTS : 0);
        if (c == OPT_KIND && o->command != CLI_CMD_PLOT)
            return usage_error("--kind applies to plot only, not to %s",
                               cli_command_name(o->command));
        const int rc = parse_option(c, optarg, o, &zero_dte);
        if (rc >= 0)
            return rc;
    }
    if (zero_dte && o->analysis.exposure.n_expirations > 0)
        return usage_error("--expiration 0dte cannot be combined with dates");
    if (!o->quiet) {
        warn_carry("--rate", o->prepare.rate);
        warn_carry("--div", o->prepare.div);
    }
    if (o->analysis.exposure.n_expirations == 0)
        o->analysis.exposure.expirations = NULL;
    if (o->analysis.exposure.n_exclude_expirations == 0)
        o->analysis.exposure.exclude_expirations = NULL;
    o->files = sub_argv + optind;
    o->n_files = (size_t)(sub_argc - optind);
    gex_plot_format plot_format;
    int rc = -1;
    if (o->command == CLI_CMD_PLOT && o->output != NULL &&
        (rc = cli_plot_parse(NULL, NULL, o->output, &plot_format)) < 0)
        return CLI_EXIT_INTERNAL;
    if (o->command == CLI_CMD_PLOT && seen_format)
        return usage_error("--format applies to tables, not to plot: the chart's format comes "
                           "from -o FILE's extension (.svg, .png or .pdf)");
    if (o->command == CLI_CMD_PLOT && (o->output == NULL || rc > 0))
        return usage_error("plot writes a chart file: give -o FILE.svg, FILE.png or FILE.pdf");
    rc = check_scope(o, seen_validate, seen_sort, seen_profile, seen_history);
    if (rc >= 0)
        return rc;
    /* The reading threads: all of them for one file; screen reads several files at once, and
     * shares the threads among the files read together. */
    const size_t together =
        (o->command == CLI_CMD_SCREEN || o->command == CLI_CMD_HISTORY) && o->n_files > 1
            ? (o->n_files < (size_t)o->jobs ? o->n_files : (size_t)o->jobs)
            : 1;
    o->read.threads = (int)((size_t)o->jobs / together);
    rc = check_files(o);
    return rc >= 0 ? rc : check_inputs(o);
}
