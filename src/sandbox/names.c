/* sandbox/names.c - the word lists behind sandbox/names.h. Short on purpose:
 * combinations, not list length, make the data look varied. */
#include "sandbox/names.h"

#define NAMES_LIST(id, ...)                                                                        \
    static const char *const id##_v[] = {__VA_ARGS__};                                             \
    const struct names_list id = {id##_v, sizeof(id##_v) / sizeof(id##_v[0])}

NAMES_LIST(names_first, "Ada", "Alan", "Amara", "Andre", "Anika", "Ben", "Bianca", "Carlos", "Chen",
           "Chloe", "Daniel", "Dana", "Diego", "Elena", "Emeka", "Emma", "Farah", "Felix", "Grace",
           "Hana", "Hugo", "Ines", "Isaac", "Jamal", "Jana", "Jonas", "Julia", "Kai", "Keiko",
           "Lars", "Laura", "Leila", "Liam", "Lucia", "Malik", "Maria", "Mateo", "Maya", "Mei",
           "Nadia", "Noah", "Nora", "Omar", "Olivia", "Pablo", "Priya", "Quinn", "Rafael", "Rosa",
           "Sam", "Sara", "Sofia", "Tariq", "Tessa", "Tomas", "Uma", "Victor", "Vera", "Wei",
           "Yara", "Yusuf", "Zoe", "Ravi", "Ingrid");

NAMES_LIST(names_last, "Adams", "Alvarez", "Bakker", "Banerjee", "Becker", "Brown", "Castro",
           "Chen", "Cohen", "Costa", "Dubois", "Duarte", "Eriksen", "Fischer", "Fontaine", "Garcia",
           "Gupta", "Haddad", "Hansen", "Hughes", "Ibrahim", "Ito", "Jensen", "Johnson", "Kaur",
           "Kim", "Kowalski", "Larsen", "Lee", "Lopez", "Lovelace", "Martin", "Meyer", "Moreau",
           "Murphy", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Patel", "Perez", "Petrov",
           "Quinn", "Rahman", "Reyes", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Sato",
           "Tanaka", "Torres", "Ueda", "Vargas", "Wagner", "Walsh", "Weber", "Wong", "Yilmaz",
           "Young", "Zhang", "Zimmer");

NAMES_LIST(names_company_head, "Acme", "Apex", "Aurora", "Bluepeak", "Brightline", "Cedar",
           "Cobalt", "Copper", "Crescent", "Delta", "Evergreen", "Falcon", "Granite", "Harbor",
           "Helix", "Ironwood", "Juniper", "Keystone", "Lumen", "Meridian", "Northwind", "Oakridge",
           "Orchid", "Pinnacle", "Quartz", "Redwood", "Sable", "Summit", "Tidal", "Vertex",
           "Willow", "Zenith");

NAMES_LIST(names_company_tail, "Analytics", "Bio", "Capital", "Dynamics", "Energy", "Foods",
           "Health", "Labs", "Logistics", "Media", "Networks", "Partners", "Robotics", "Software",
           "Systems", "Works");

NAMES_LIST(names_company_form, "Inc.", "LLC", "Ltd.", "Corp.", "Group", "GmbH", "", "");

NAMES_LIST(names_tld, ".com", ".com", ".com", ".io", ".net", ".co");

NAMES_LIST(names_title, "CEO", "CTO", "CFO", "VP Sales", "VP Engineering", "Head of Operations",
           "Sales Manager", "Account Executive", "Marketing Manager", "Product Manager",
           "Software Engineer", "Data Analyst", "IT Director", "Procurement Lead",
           "Customer Success Manager", "Office Manager");

NAMES_LIST(names_area_code, "206", "212", "303", "312", "404", "415", "512", "617", "646", "702",
           "713", "801", "919", "971");

NAMES_LIST(names_industry, "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals",
           "Communications", "Construction", "Consulting", "Education", "Electronics", "Energy",
           "Engineering", "Entertainment", "Environmental", "Finance", "Food & Beverage",
           "Government", "Healthcare", "Hospitality", "Insurance", "Machinery", "Manufacturing",
           "Media", "Not For Profit", "Recreation", "Retail", "Shipping", "Technology",
           "Telecommunications", "Transportation", "Utilities", "Other");

NAMES_LIST(names_case_subject, "Cannot log in", "Invoice total looks wrong", "Export to CSV fails",
           "Request for a product demo", "Password reset email missing", "Sync stopped overnight",
           "Add users to our plan", "Slow dashboard", "API returns 500", "Change billing address",
           "Feature request: dark mode", "Shipment arrived damaged");

NAMES_LIST(names_campaign_kind, "Webinar", "Trade Show", "Newsletter", "Product Launch",
           "Customer Summit", "Partner Roadshow", "Spring Promotion", "Holiday Offer");

NAMES_LIST(names_deal_kind, "New Business", "Renewal", "Expansion", "Upgrade", "Pilot", "Services");
