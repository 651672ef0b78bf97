/* sandbox/names.h - the word lists the sandbox builds people, companies and
 * texts from. Written for inlet (no third-party data). Every list is
 * constant, so generated data depends only on the seed. Used by
 * sandbox/sfdata.c. */
#ifndef INLET_SANDBOX_NAMES_H
#define INLET_SANDBOX_NAMES_H
#include <stddef.h>

/* A constant list of strings and its length. */
struct names_list {
    const char *const *v;
    size_t n;
};

extern const struct names_list names_first;         /* given names */
extern const struct names_list names_last;          /* family names */
extern const struct names_list names_company_head;  /* "Blue", "Northwind" */
extern const struct names_list names_company_tail;  /* "Systems", "Labs" */
extern const struct names_list names_company_form;  /* "Inc.", "LLC", "" */
extern const struct names_list names_tld;           /* ".com", ".io" */
extern const struct names_list names_title;         /* job titles */
extern const struct names_list names_area_code;     /* "415", US area codes */
extern const struct names_list names_industry;      /* Salesforce Industry picklist */
extern const struct names_list names_case_subject;  /* support case subjects */
extern const struct names_list names_campaign_kind; /* "Webinar", "Trade Show" */
extern const struct names_list names_deal_kind;     /* "Renewal", "Expansion" */

#endif
