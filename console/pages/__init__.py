"""The console's pages: importing a module registers its views on ``console.web.bp``."""
PAGES = ("auth", "queue", "request", "dashboard", "offices", "rooms", "notices", "users", "sla", "categories",
         "assignment_rules")
